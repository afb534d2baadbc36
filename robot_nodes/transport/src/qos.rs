//! Named QoS profiles. Pick by the kind of data, not by knob.

/// Reliability of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reliability {
    BestEffort,
    Reliable,
}

/// Durability of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Volatile,
    /// Late joiners receive the last `depth` samples (`/map`, `/tf_static`).
    TransientLocal,
}

/// A QoS profile: reliability, durability and a keep-last depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qos {
    pub reliability: Reliability,
    pub durability: Durability,
    pub depth: usize,
}

impl Qos {
    /// Sensor streams (`/scan`, `/camera/image_raw`, `/odom`, audio): best effort, keep last 5.
    /// A late or lost sample is replaced by the next one; nothing queues up behind a slow reader.
    pub const fn sensor_data() -> Self {
        Qos {
            reliability: Reliability::BestEffort,
            durability: Durability::Volatile,
            depth: 5,
        }
    }
    /// Commands and events (`/cmd_vel`, transcripts, dialog): reliable, keep last 10.
    pub const fn commands() -> Self {
        Qos {
            reliability: Reliability::Reliable,
            durability: Durability::Volatile,
            depth: 10,
        }
    }
    /// Streams of commands that the next one replaces, as a reader takes them (velocity inputs,
    /// an e-stop box's heartbeat): best effort, keep last 10. A lost sample is not resent, so
    /// nothing waits behind a resend on a lossy link; the reader's own timeout covers a gap. A
    /// best-effort reader matches reliable writers, so publishers keep [`Qos::commands`].
    pub const fn command_stream() -> Self {
        Qos {
            reliability: Reliability::BestEffort,
            durability: Durability::Volatile,
            depth: 10,
        }
    }
    /// State that late joiners need (`/map`, `/tf_static`, places): reliable, transient local, keep last 1.
    pub const fn latched() -> Self {
        Qos {
            reliability: Reliability::Reliable,
            durability: Durability::TransientLocal,
            depth: 1,
        }
    }
    /// `/clock`: best effort keep last 1, as rosgraph publishers use.
    pub const fn clock() -> Self {
        Qos {
            reliability: Reliability::BestEffort,
            durability: Durability::Volatile,
            depth: 1,
        }
    }
    /// Services: reliable, volatile, keep last 10 (rmw's services default).
    pub const fn services() -> Self {
        Self::commands()
    }
    /// The same profile with another depth (at least 1).
    pub const fn with_depth(mut self, depth: usize) -> Self {
        self.depth = if depth == 0 { 1 } else { depth };
        self
    }

    pub(crate) fn to_ros2(self) -> ros2_client::QosProfile {
        use ros2_client::qos as q;
        let mut p = ros2_client::QosProfile::subscription_default();
        p.reliability = match self.reliability {
            Reliability::BestEffort => q::Reliability::BestEffort,
            Reliability::Reliable => q::Reliability::Reliable {
                when_full: q::WhenFull::DEFAULT,
            },
        };
        p.durability = match self.durability {
            Durability::Volatile => q::Durability::Volatile,
            Durability::TransientLocal => q::Durability::TransientLocal,
        };
        p.history = q::History::KeepLast {
            depth: self.depth.max(1),
        };
        p
    }
}
