//! A value and where in the file it was written, for the raw types the
//! loader reads.
//!
//! serde-saphyr's own `Spanned<T>` does the reading; this wrapper exists so
//! that the same raw types can also describe themselves as a JSON Schema
//! (`sockspec schema`): a location is the loader's business, not the
//! file's, so a spanned value's schema is its value's. One generic impl
//! here instead of an override on every spanned field.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Location;

/// A value read from a file, and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned<T> {
    /// The value itself.
    pub value: T,
    /// Where the value is written (for an alias, where it is used).
    pub referenced: Location,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: s.value,
            referenced: s.referenced,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
