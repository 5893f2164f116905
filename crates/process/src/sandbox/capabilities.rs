//! Which capabilities a sandboxed target keeps.
//!
//! A target running as root could undo every other guard: remount `/`
//! read-write, `setns` back out of the namespaces, raise its limits. So it
//! loses the capabilities that allow that, and keeps the few that homework
//! run as root plausibly needs. The choice is policy, kept here where it can
//! be read and tested on its own; the system calls that drop the rest run
//! after the fork, in [`postfork`](super::postfork).

use nix::libc;

/// Capabilities a sandboxed target keeps: overriding file permissions (a
/// root harness grading folders owned by the teacher), signalling,
/// changing ids, binding low and raw sockets. Everything else (mounting,
/// `setns`, raising limits, modules, network configuration, ...) is dropped.
pub(super) const KEPT_CAPS: [u32; 10] = [
    0,  // CAP_CHOWN
    1,  // CAP_DAC_OVERRIDE
    2,  // CAP_DAC_READ_SEARCH
    3,  // CAP_FOWNER
    4,  // CAP_FSETID
    5,  // CAP_KILL
    6,  // CAP_SETGID
    7,  // CAP_SETUID
    10, // CAP_NET_BIND_SERVICE
    13, // CAP_NET_RAW
];

/// [`KEPT_CAPS`] as the two 32-bit words of a capability set, for masking
/// the inheritable set; computed at compile time so that nothing is left to
/// compute after the fork.
pub(super) const KEPT_MASK: [u32; 2] = {
    let mut kept = [0u32; 2];
    let mut i = 0;
    while i < KEPT_CAPS.len() {
        let cap = KEPT_CAPS[i];
        kept[(cap / 32) as usize] |= 1 << (cap % 32);
        i += 1;
    }
    kept
};

/// `_LINUX_CAPABILITY_VERSION_3`.
pub(super) const CAP_V3: u32 = 0x2008_0522;

/// `struct __user_cap_header_struct` of capget(2).
#[repr(C)]
pub(super) struct Header {
    pub(super) version: u32,
    pub(super) pid: libc::c_int,
}

/// `struct __user_cap_data_struct` of capget(2): one of two 32-bit words.
#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct Data {
    pub(super) effective: u32,
    pub(super) permitted: u32,
    pub(super) inheritable: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_holds_the_kept_capabilities_only() {
        // Bits 0-7 (CHOWN ... SETUID), 10 (NET_BIND_SERVICE), 13 (NET_RAW).
        assert_eq!(KEPT_MASK, [0x24ff, 0]);
        for cap in 0..64u32 {
            let set = KEPT_MASK[(cap / 32) as usize] & (1 << (cap % 32)) != 0;
            assert_eq!(set, KEPT_CAPS.contains(&cap), "capability {cap}");
        }
    }
}
