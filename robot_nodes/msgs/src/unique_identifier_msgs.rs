//! `unique_identifier_msgs`: [`UUID`], the goal id of ROS 2 actions.
use serde::{Deserialize, Serialize};
use std::fmt;

/// `unique_identifier_msgs/msg/UUID`: 16 bytes (RFC 4122). On the wire a fixed `uint8[16]`: 16
/// octets, no length prefix. In YAML a list of 16 integers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(default, deny_unknown_fields)]
pub struct UUID {
    /// The 16 bytes, in RFC 4122 (big-endian) order.
    pub uuid: [u8; 16],
}

impl UUID {
    /// The all-zero id: "every goal" in an `action_msgs/srv/CancelGoal` request.
    pub const ZERO: UUID = UUID { uuid: [0; 16] };

    /// An id from its 16 bytes.
    pub const fn from_bytes(uuid: [u8; 16]) -> Self {
        UUID { uuid }
    }

    /// `true` for [`UUID::ZERO`].
    pub fn is_zero(&self) -> bool {
        self.uuid == [0; 16]
    }

    /// 32 lowercase hex digits without dashes, as `ros2 action send_goal` prints goal ids.
    pub fn to_hex(&self) -> String {
        self.uuid.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 32 hex digits, with or without the four RFC 4122 dashes.
    pub fn parse_hex(s: &str) -> Option<Self> {
        let digits: Vec<u8> = s.bytes().filter(|&c| c != b'-').collect();
        if digits.len() != 32 {
            return None;
        }
        let mut uuid = [0u8; 16];
        for (i, pair) in digits.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).ok()?;
            uuid[i] = u8::from_str_radix(text, 16).ok()?;
        }
        Some(UUID { uuid })
    }
}

impl fmt::Display for UUID {
    /// RFC 4122 form: `8-4-4-4-12` hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.to_hex();
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms_round_trip() {
        let id = UUID::from_bytes(std::array::from_fn(|i| (i * 17) as u8));
        assert_eq!(id.to_hex(), "00112233445566778899aabbccddeeff");
        assert_eq!(id.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
        assert_eq!(UUID::parse_hex(&id.to_hex()), Some(id));
        assert_eq!(UUID::parse_hex(&id.to_string()), Some(id));
        assert_eq!(UUID::parse_hex("0011"), None);
        assert_eq!(UUID::parse_hex(&"zz".repeat(16)), None);
        assert_eq!(UUID::parse_hex("é".repeat(16).as_str()), None);
        assert!(UUID::ZERO.is_zero() && !id.is_zero());
    }
}
