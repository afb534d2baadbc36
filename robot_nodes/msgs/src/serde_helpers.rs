//! Serde helpers shared by the message types.
//!
//! Binary formats (CDR, `is_human_readable() == false`) and text formats (YAML, JSON) want different
//! things for the same field, so each helper asks the serializer which one it is talking to.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, SerializeTuple, Serializer};
use std::fmt;

/// `uint8[]`: one `serialize_bytes` call in CDR (u32 length + the raw octets, exactly the layout of
/// `sequence<octet>`, written with one `write_all`), a list of integers in YAML/JSON.
pub(crate) mod octets {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(v)
        } else {
            s.serialize_bytes(v)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            d.deserialize_seq(BytesVisitor)
        } else {
            d.deserialize_byte_buf(BytesVisitor)
        }
    }
}

/// `int8[]` (`OccupancyGrid.data`): same wire layout as `uint8[]`, values reinterpreted as `i8`.
pub(crate) mod signed_octets {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[i8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(v)
        } else {
            let bytes: Vec<u8> = v.iter().map(|&b| b as u8).collect();
            s.serialize_bytes(&bytes)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i8>, D::Error> {
        if d.is_human_readable() {
            <Vec<i8> as serde::Deserialize>::deserialize(d)
        } else {
            // Borrow the octets from the input and convert them in one pass (one allocation).
            d.deserialize_bytes(SignedVisitor)
        }
    }

    struct SignedVisitor;

    impl<'de> Visitor<'de> for SignedVisitor {
        type Value = Vec<i8>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a sequence of octets")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<i8>, E> {
            Ok(v.iter().map(|&b| b as i8).collect())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<i8>, A::Error> {
            let bytes = BytesVisitor.visit_seq(seq)?;
            Ok(bytes.into_iter().map(|b| b as i8).collect())
        }
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence of bytes (integers 0..=255)")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // Cap the pre-allocation: the size hint comes from the input.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}

/// Fixed-size arrays longer than serde's built-in 32 (`float64[36] covariance`): a tuple, i.e. no
/// length prefix in CDR (IDL arrays carry none) and a list of exactly N values in YAML/JSON.
pub(crate) mod fixed_array {
    use super::*;

    pub(crate) fn serialize<S, T, const N: usize>(v: &[T; N], s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        T: serde::Serialize,
    {
        let mut t = s.serialize_tuple(N)?;
        for x in v {
            t.serialize_element(x)?;
        }
        t.end()
    }

    pub(crate) fn deserialize<'de, D, T, const N: usize>(d: D) -> Result<[T; N], D::Error>
    where
        D: Deserializer<'de>,
        T: serde::Deserialize<'de> + Default + Copy,
    {
        struct ArrayVisitor<T, const N: usize>(std::marker::PhantomData<T>);

        impl<'de, T, const N: usize> Visitor<'de> for ArrayVisitor<T, N>
        where
            T: serde::Deserialize<'de> + Default + Copy,
        {
            type Value = [T; N];

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an array of exactly {N} numbers")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[T; N], A::Error> {
                let mut out = [T::default(); N];
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = seq
                        .next_element()?
                        .ok_or_else(|| de::Error::invalid_length(i, &self))?;
                }
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(N + 1, &self));
                }
                Ok(out)
            }
        }

        d.deserialize_tuple(N, ArrayVisitor::<T, N>(std::marker::PhantomData))
    }
}

/// The member that the ROS 2 IDL generator adds to every struct without fields.
pub(crate) const EMPTY_MEMBER: &str = "structure_needs_at_least_one_member";

/// Serializes a message without fields: `{}` in YAML/JSON, one `0u8` in CDR (see [`EMPTY_MEMBER`]).
pub(crate) fn serialize_empty<S: Serializer>(name: &'static str, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_struct(name, 0)?.end()
    } else {
        let mut st = s.serialize_struct(name, 1)?;
        st.serialize_field(EMPTY_MEMBER, &0u8)?;
        st.end()
    }
}

/// Deserializes a message without fields; the CDR dummy byte is read and ignored, any YAML key is
/// rejected as unknown.
pub(crate) fn deserialize_empty<'de, D: Deserializer<'de>>(
    name: &'static str,
    d: D,
) -> Result<(), D::Error> {
    struct EmptyVisitor(&'static str);

    impl<'de> Visitor<'de> for EmptyVisitor {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "an empty {} message", self.0)
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Ok(())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            // CDR: the one dummy octet. (A YAML list must be empty.)
            while seq.next_element::<u8>()?.is_some() {}
            Ok(())
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            match map.next_key::<String>()? {
                None => Ok(()),
                Some(key) => Err(de::Error::unknown_field(&key, &[])),
            }
        }
    }

    if d.is_human_readable() {
        d.deserialize_struct(name, &[], EmptyVisitor(name))
    } else {
        d.deserialize_struct(name, &[EMPTY_MEMBER], EmptyVisitor(name))
    }
}

/// Implements Serialize/Deserialize for a unit-like message struct via the empty helpers.
macro_rules! empty_message_serde {
    ($ty:ident, $name:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::serde_helpers::serialize_empty($name, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::serde_helpers::deserialize_empty($name, d).map(|()| $ty {})
            }
        }
    };
}
pub(crate) use empty_message_serde;
