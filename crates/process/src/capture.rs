//! Capped capture of one output stream: the last `cap` bytes, a count of
//! what was dropped, and a notification on every chunk.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

/// Bytes read from the pipe per call.
const CHUNK: usize = 16 * 1024;

/// The tail of a stream. The kept bytes are `buf[start..]`; the buffer is
/// compacted only when the dead prefix is as large as the cap, so keeping
/// the tail costs amortised O(1) per byte and at most `2 * cap + CHUNK` bytes.
#[derive(Debug)]
pub(crate) struct Tail {
    buf: Vec<u8>,
    start: usize,
    cap: usize,
    dropped: usize,
    eof: bool,
    /// Needles being waited for, checked against every chunk as it arrives,
    /// so a needle is seen even if more than `cap` bytes follow it before
    /// its waiter runs.
    watches: Vec<Watch>,
    next_watch: u64,
}

/// A needle being waited for.
#[derive(Debug)]
struct Watch {
    id: u64,
    needle: Vec<u8>,
    /// The last `needle.len() - 1` bytes seen, for a match across chunks.
    carry: Vec<u8>,
    found: bool,
}

impl Watch {
    fn feed(&mut self, chunk: &[u8]) {
        if self.found {
            return;
        }
        let mut window = std::mem::take(&mut self.carry);
        window.extend_from_slice(chunk);
        if contains(&window, &self.needle) {
            self.found = true;
            return;
        }
        let keep = (self.needle.len() - 1).min(window.len());
        window.drain(..window.len() - keep);
        self.carry = window;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Tail {
    pub(crate) fn new(cap: usize) -> Self {
        Tail {
            buf: Vec::new(),
            start: 0,
            cap,
            dropped: 0,
            eof: false,
            watches: Vec::new(),
            next_watch: 0,
        }
    }

    /// Appends a chunk, dropping from the front what exceeds the cap.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        for w in &mut self.watches {
            w.feed(chunk);
        }
        if chunk.len() >= self.cap {
            self.dropped += self.kept().len() + chunk.len() - self.cap;
            self.buf.clear();
            self.buf.extend_from_slice(&chunk[chunk.len() - self.cap..]);
            self.start = 0;
            return;
        }
        self.buf.extend_from_slice(chunk);
        let kept = self.buf.len() - self.start;
        if kept > self.cap {
            self.dropped += kept - self.cap;
            self.start = self.buf.len() - self.cap;
        }
        if self.start >= self.cap.max(CHUNK) {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// The bytes kept.
    pub(crate) fn kept(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Bytes dropped from the front so far.
    pub(crate) fn dropped(&self) -> usize {
        self.dropped
    }

    /// The kept bytes as text. When the front was cut, a partial UTF-8
    /// sequence at the cut is skipped rather than shown as garbage.
    pub(crate) fn text(&self) -> String {
        let mut kept = self.kept();
        if self.dropped > 0 {
            let partial = kept
                .iter()
                .take(3)
                .take_while(|b| (0x80..0xC0).contains(*b))
                .count();
            kept = &kept[partial..];
        }
        String::from_utf8_lossy(kept).into_owned()
    }

    /// Starts watching for a non-empty `needle`: true at once if the kept
    /// bytes already contain it, else a watch id.
    fn watch(&mut self, needle: &[u8]) -> Result<bool, u64> {
        if contains(self.kept(), needle) {
            return Ok(true);
        }
        let id = self.next_watch;
        self.next_watch += 1;
        let kept = self.kept();
        let carry = kept[kept.len() - (needle.len() - 1).min(kept.len())..].to_vec();
        self.watches.push(Watch {
            id,
            needle: needle.to_vec(),
            carry,
            found: false,
        });
        Err(id)
    }

    fn found(&self, id: u64) -> bool {
        self.watches.iter().any(|w| w.id == id && w.found)
    }

    fn unwatch(&mut self, id: u64) {
        self.watches.retain(|w| w.id != id);
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// One stream's capture, shared between its reader task and the [`Target`].
///
/// [`Target`]: crate::Target
#[derive(Debug)]
pub(crate) struct Capture {
    tail: Mutex<Tail>,
    /// Bumped after every chunk and at end of stream.
    changed: watch::Sender<u64>,
}

impl Capture {
    pub(crate) fn new(cap: usize) -> Arc<Self> {
        Arc::new(Capture {
            tail: Mutex::new(Tail::new(cap)),
            changed: watch::Sender::new(0),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Tail> {
        // A panic while holding the lock cannot leave a Tail inconsistent in
        // a way that matters for reading it, so a poisoned lock is used as is.
        self.tail.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a task that reads `pipe` to its end into this capture.
    pub(crate) fn spawn_reader<R>(self: &Arc<Self>, mut pipe: R) -> JoinHandle<()>
    where
        R: AsyncRead + Unpin + Send + 'static,
    {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut buf = vec![0u8; CHUNK];
            loop {
                match pipe.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        this.lock().push(&buf[..n]);
                        this.changed.send_modify(|v| *v += 1);
                    }
                }
            }
            this.lock().eof = true;
            this.changed.send_modify(|v| *v += 1);
        })
    }

    /// Marks the stream as ended (used when its reader had to be aborted).
    pub(crate) fn mark_eof(&self) {
        self.lock().eof = true;
        self.changed.send_modify(|v| *v += 1);
    }

    /// Waits until the stream has ended, at most until `deadline`; true if
    /// it has.
    pub(crate) async fn wait_eof(&self, deadline: Instant) -> bool {
        let mut rx = self.changed.subscribe();
        loop {
            rx.borrow_and_update();
            if self.lock().eof {
                return true;
            }
            if !matches!(timeout_at(deadline, rx.changed()).await, Ok(Ok(()))) {
                return self.lock().eof;
            }
        }
    }

    /// Waits until `needle` is in the kept tail or appears in the stream:
    /// true as soon as it does, false at the deadline or when the stream
    /// ends without it. Each chunk is searched once, by the reader as it
    /// arrives, and wakes the waiter; nothing is polled.
    pub(crate) async fn wait_contains(&self, needle: &[u8], deadline: Instant) -> bool {
        if needle.is_empty() {
            return true;
        }
        let mut rx = self.changed.subscribe();
        let id = {
            let mut tail = self.lock();
            match tail.watch(needle) {
                Ok(found) => return found,
                Err(_) if tail.eof => return false,
                Err(id) => id,
            }
        };
        struct Unwatch<'a>(&'a Capture, u64);
        impl Drop for Unwatch<'_> {
            fn drop(&mut self) {
                self.0.lock().unwatch(self.1);
            }
        }
        let _unwatch = Unwatch(self, id);
        loop {
            rx.borrow_and_update();
            {
                let tail = self.lock();
                if tail.found(id) {
                    return true;
                }
                if tail.eof {
                    return false;
                }
            }
            // The sender lives in `self`, so `changed` only ends by deadline.
            if !matches!(timeout_at(deadline, rx.changed()).await, Ok(Ok(()))) {
                return self.lock().found(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_the_tail_and_counts_the_rest() {
        let mut t = Tail::new(5);
        t.push(b"abc");
        assert_eq!((t.kept(), t.dropped()), (&b"abc"[..], 0));
        t.push(b"defg");
        assert_eq!((t.kept(), t.dropped()), (&b"cdefg"[..], 2));
        t.push(b"0123456789");
        assert_eq!((t.kept(), t.dropped()), (&b"56789"[..], 12));
    }

    #[test]
    fn cut_utf8_sequence_is_skipped() {
        let mut t = Tail::new(4);
        t.push("a收b".as_bytes()); // 1 + 3 + 1 bytes: the cut lands inside 收
        assert_eq!(t.dropped(), 1);
        assert_eq!(t.text(), "收b");
        t.push(b"c"); // now 2 bytes of 收 are cut
        assert_eq!(t.text(), "bc");
    }

    #[test]
    fn watch_sees_a_needle_that_scrolled_past() {
        let mut t = Tail::new(4);
        t.push(b"xxne");
        let id = t.watch(b"needle").unwrap_err();
        t.push(b"ed");
        t.push(b"le and then a lot more than the cap");
        assert!(!contains(t.kept(), b"needle"));
        assert!(t.found(id));
        t.unwatch(id);
        assert!(t.watches.is_empty());
        assert_eq!(t.watch(b"cap"), Ok(true));
    }

    proptest! {
        /// A watch finds the needle exactly when it occurs after the watch
        /// began (counting the overlap with what was kept), whatever the
        /// chunking.
        #[test]
        fn watch_matches_model(
            before in proptest::collection::vec(0u8..3, 0..20),
            chunks in proptest::collection::vec(proptest::collection::vec(0u8..3, 0..10), 0..10),
            needle in proptest::collection::vec(0u8..3, 1..4),
        ) {
            let mut t = Tail::new(1000);
            t.push(&before);
            let Err(id) = t.watch(&needle) else {
                prop_assert!(contains(&before, &needle));
                return Ok(());
            };
            let mut all = before.clone();
            for c in &chunks {
                t.push(c);
                all.extend_from_slice(c);
            }
            prop_assert_eq!(t.found(id), contains(&all, &needle));
        }

        /// Whatever the chunking, the kept bytes are the last `cap` bytes,
        /// the dropped count is the rest, and memory stays bounded.
        #[test]
        fn tail_matches_model(
            cap in 1usize..300,
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..700), 0..40),
        ) {
            let mut t = Tail::new(cap);
            let mut all = Vec::new();
            for c in &chunks {
                t.push(c);
                all.extend_from_slice(c);
                prop_assert!(t.capacity() <= 2 * (2 * cap.max(CHUNK) + 700));
            }
            let keep = all.len().min(cap);
            prop_assert_eq!(t.kept(), &all[all.len() - keep..]);
            prop_assert_eq!(t.dropped(), all.len() - keep);
        }
    }
}
