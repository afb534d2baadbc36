//! WAV read/write helpers (hound). Any channel count and rate in, mono f32 [`Audio`] out.

use std::io::{Read, Seek};
use std::path::Path;

use crate::audio::Audio;
use crate::error::SpeechError;

/// Reads a WAV file (8/16/24/32-bit int or 32-bit float, any channels) to mono f32, downmixing
/// and sanitising. The sample rate is kept as in the file.
pub fn read_wav(path: &Path) -> Result<Audio, SpeechError> {
    let reader = hound::WavReader::open(path).map_err(|source| SpeechError::Wav {
        path: path.to_path_buf(),
        source,
    })?;
    read_from(reader, path)
}

/// Reads WAV bytes held in memory (e.g. a synthesizer's stdout). `what` names the source in errors.
pub fn read_wav_bytes(bytes: &[u8], what: &str) -> Result<Audio, SpeechError> {
    let fixed;
    let data = match patch_streaming_header(bytes) {
        Some(v) => {
            fixed = v;
            &fixed[..]
        }
        None => bytes,
    };
    let reader =
        hound::WavReader::new(std::io::Cursor::new(data)).map_err(|e| SpeechError::WavData {
            what: what.to_string(),
            reason: e.to_string(),
        })?;
    read_from(reader, Path::new(what))
}

/// Programs that stream WAV to a pipe (espeak-ng `--stdout`) cannot seek back to fill the RIFF
/// and data sizes, so they write placeholders (0 or 0x7fffffff). When the data chunk claims more
/// than the bytes present, this returns a copy with both sizes set to what is really there.
fn patch_streaming_header(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]) as usize;
        if id == b"data" {
            let available = bytes.len() - (pos + 8);
            if size == available {
                return None;
            }
            // Keep whole 4-byte units so any sample frame up to 32-bit stereo stays aligned.
            let real = available - available % 4;
            let mut out = bytes[..pos + 8 + real].to_vec();
            out[pos + 4..pos + 8].copy_from_slice(&(real as u32).to_le_bytes());
            let riff = (out.len() - 8) as u32;
            out[4..8].copy_from_slice(&riff.to_le_bytes());
            return Some(out);
        }
        pos = pos.checked_add(8 + size + (size & 1))?;
    }
    None
}

fn read_from<R: Read + Seek>(
    mut reader: hound::WavReader<R>,
    path: &Path,
) -> Result<Audio, SpeechError> {
    let spec = reader.spec();
    let wav_err = |source| SpeechError::Wav {
        path: path.to_path_buf(),
        source,
    };
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(wav_err)?,
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(wav_err)?
        }
        (fmt, bits) => {
            return Err(SpeechError::WavFormat {
                path: path.to_path_buf(),
                bits,
                format: match fmt {
                    hound::SampleFormat::Float => "float",
                    hound::SampleFormat::Int => "int",
                },
            })
        }
    };
    Audio::from_interleaved(&interleaved, spec.channels, spec.sample_rate)
}

/// Writes mono 16-bit PCM.
pub fn write_wav(path: &Path, audio: &Audio) -> Result<(), SpeechError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: audio.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let wav_err = |source| SpeechError::Wav {
        path: path.to_path_buf(),
        source,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(wav_err)?;
    for s in audio.to_i16() {
        w.write_sample(s).map_err(wav_err)?;
    }
    w.finalize().map_err(wav_err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn write_raw<S: hound::Sample + Copy>(path: &Path, spec: hound::WavSpec, samples: &[S]) {
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn round_trip_mono_i16() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let a = Audio::new(vec![0.0, 0.5, -0.5, 0.25], 16_000).unwrap();
        write_wav(&p, &a).unwrap();
        let b = read_wav(&p).unwrap();
        assert_eq!(b.sample_rate, 16_000);
        assert_eq!(b.samples.len(), 4);
        for (x, y) in a.samples.iter().zip(&b.samples) {
            assert!((x - y).abs() < 1e-4);
        }
    }

    #[test]
    fn reads_48k_stereo_and_downmixes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("st.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        write_raw::<i16>(&p, spec, &[16384, 0, -16384, -16384, 32767, -32768]);
        let a = read_wav(&p).unwrap();
        assert_eq!(a.sample_rate, 48_000);
        assert_eq!(a.samples.len(), 3);
        assert!((a.samples[0] - 0.25).abs() < 1e-4);
        assert!((a.samples[1] + 0.5).abs() < 1e-4);
        assert!(a.samples[2].abs() < 1e-4);
    }

    #[test]
    fn reads_float_with_nan_and_clipping_sanitised() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        write_raw::<f32>(&p, spec, &[f32::NAN, 3.0, -3.0, 0.1]);
        let a = read_wav(&p).unwrap();
        assert_eq!(a.samples, vec![0.0, 1.0, -1.0, 0.1]);
        assert_eq!(a.sample_rate, 8_000);
    }

    #[test]
    fn reads_24_bit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("24.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 44_100,
            bits_per_sample: 24,
            sample_format: hound::SampleFormat::Int,
        };
        write_raw::<i32>(&p, spec, &[4_194_304, -8_388_608]);
        let a = read_wav(&p).unwrap();
        assert!((a.samples[0] - 0.5).abs() < 1e-6);
        assert!((a.samples[1] + 1.0).abs() < 1e-6);
    }

    #[test]
    fn empty_and_one_sample_files() {
        let dir = tempfile::tempdir().unwrap();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let p0 = dir.path().join("0.wav");
        write_raw::<i16>(&p0, spec, &[]);
        assert!(read_wav(&p0).unwrap().samples.is_empty());
        let p1 = dir.path().join("1.wav");
        write_raw::<i16>(&p1, spec, &[100]);
        assert_eq!(read_wav(&p1).unwrap().samples.len(), 1);
    }

    #[test]
    fn garbage_and_missing_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("junk.wav");
        std::fs::write(&p, b"not a wav at all").unwrap();
        let e = read_wav(&p).unwrap_err().to_string();
        assert!(e.contains("junk.wav"), "{e}");
        let e = read_wav(&dir.path().join("nope.wav"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.wav"), "{e}");
        assert!(read_wav_bytes(b"RIFF", "stdin").is_err());
    }

    #[test]
    fn streaming_header_with_placeholder_sizes_is_read() {
        // A WAV as written to a pipe: data size 0x7fffffff and RIFF size bogus.
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&0x7fff_ffffu32.to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
        bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
        bytes.extend_from_slice(&22_050u32.to_le_bytes());
        bytes.extend_from_slice(&44_100u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&16u16.to_le_bytes());
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&0x7fff_ffffu32.to_le_bytes());
        for s in [1000i16, -1000, 2000, -2000] {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        let a = read_wav_bytes(&bytes, "espeak-ng stdout").unwrap();
        assert_eq!(a.sample_rate, 22_050);
        assert_eq!(a.samples.len(), 4);
        assert!((a.samples[2] - 2000.0 / 32768.0).abs() < 1e-6);
    }
}
