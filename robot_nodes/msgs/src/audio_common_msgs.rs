//! `audio_common_msgs` (ros-drivers/audio_common, ROS 2 branch, released into Jazzy as
//! `ros-jazzy-audio-common-msgs`): Letan's audio chunk type.
//!
//! Why this one: it is the audio message a ROS 2 Jazzy robot already has (the `audio_capture` /
//! `audio_play` nodes publish and play it), so our microphone stream can be recorded with `ros2 bag`,
//! played on the robot's speaker and fed from a real robot's microphone without a bridge. The
//! payload is opaque bytes, which keeps a 20 ms chunk cheap to move (one block copy in CDR), and the
//! format travels once on a separate [`AudioInfo`] topic instead of in every chunk.
//!
//! Letan's convention: `/audio/audio` carries [`AudioDataStamped`], mono S16LE PCM at 16 kHz
//! (`AudioInfo { channels: 1, sample_rate: 16000, sample_format: "S16LE", coding_format: "wave" }`,
//! published transient-local on `/audio/audio_info`); the stamp is the capture time of the first
//! sample.
//!
//! Trap: the unrelated `mgonzs13/audio_common` project also ships a package named
//! `audio_common_msgs`, with a *different* `AudioData` layout (typed arrays per sample format) and an
//! `AudioStamped` message. Both cannot be on the same graph under the same type name; these structs
//! are the ros-drivers layout.
use crate::serde_helpers::octets;
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `audio_common_msgs/msg/AudioData`: a chunk of audio bytes, in the format given by [`AudioInfo`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioData {
    /// The samples, interleaved if multi-channel.
    #[serde(with = "octets")]
    pub data: Vec<u8>,
}

/// `audio_common_msgs/msg/AudioDataStamped`: an audio chunk with its capture time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioDataStamped {
    /// Capture time of the first sample; `frame_id` is the microphone frame.
    pub header: Header,
    /// The chunk.
    pub audio: AudioData,
}

impl AudioDataStamped {
    /// Packs i16 samples as S16LE.
    pub fn from_s16le(header: Header, samples: &[i16]) -> Self {
        let mut data = Vec::with_capacity(samples.len() * 2);
        for s in samples {
            data.extend_from_slice(&s.to_le_bytes());
        }
        Self {
            header,
            audio: AudioData { data },
        }
    }

    /// Reads the payload as S16LE samples; a trailing odd byte is ignored.
    pub fn to_s16le(&self) -> Vec<i16> {
        self.audio
            .data
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}

/// `audio_common_msgs/msg/AudioInfo`: the format of an audio stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioInfo {
    /// Number of channels.
    pub channels: u8,
    /// Sampling rate, Hz.
    pub sample_rate: u32,
    /// Sample format, GStreamer style, e.g. `"S16LE"`.
    pub sample_format: String,
    /// Bit rate, bits/s (for compressed formats; 0 if unknown).
    pub bitrate: u32,
    /// Coding format, e.g. `"wave"` (raw PCM) or `"mp3"`.
    pub coding_format: String,
}

impl AudioInfo {
    /// Letan's microphone format: mono S16LE PCM at 16 kHz.
    pub fn letan_default() -> Self {
        Self {
            channels: 1,
            sample_rate: 16_000,
            sample_format: "S16LE".into(),
            bitrate: 16_000 * 16,
            coding_format: "wave".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s16le_packing_round_trips() {
        let samples = [0i16, 1, -1, i16::MAX, i16::MIN, 1234];
        let m = AudioDataStamped::from_s16le(Header::default(), &samples);
        assert_eq!(m.audio.data.len(), 12);
        assert_eq!(&m.audio.data[..4], &[0, 0, 1, 0]);
        assert_eq!(m.to_s16le(), samples);
        let mut odd = m.clone();
        odd.audio.data.push(7);
        assert_eq!(odd.to_s16le(), samples);
        assert_eq!(AudioInfo::letan_default().sample_rate, 16_000);
    }
}
