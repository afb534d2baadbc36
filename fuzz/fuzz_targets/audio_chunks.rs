//! Audio chunks as `/audio/audio` delivers them: arbitrary f32 / i16 samples (NaN, inf, huge), any
//! chunking, any declared rate, through the sanitizer, the resamplers and the endpointer.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let from = u32::from_le_bytes([data[0], data[1], data[2], 0]);
    let to = [16_000, 22_050, 48_000, 8_000][usize::from(data[3] & 3)];
    let chunk = usize::from(data[4]) * 8 + 1;
    let as_i16 = data[5] & 1 == 1;
    let body = &data[8..];
    let mut samples: Vec<f32> = if as_i16 {
        let s: Vec<i16> = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        letan_speech::audio::i16_to_f32(&s)
    } else {
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let _ = letan_speech::audio::rms_dbfs(&samples);
    let _ = letan_speech::audio::f32_to_i16(&samples);
    let _ = letan_speech::audio::downmix(&samples, u16::from(data[6] & 3));
    // Unsanitized samples straight into the one-shot resampler, then sanitized ones into the rest.
    let _ = letan_speech::audio::resample(&samples, from, to);
    letan_speech::audio::sanitize(&mut samples);
    if let Ok(mut sr) = letan_speech::StreamResampler::new(from, to) {
        for c in samples.chunks(chunk) {
            let _ = sr.process(c);
        }
    }
    if let Ok(mut ep) = letan_speech::Endpointer::new(letan_speech::EndpointConfig::default(), from)
    {
        for c in samples.chunks(chunk) {
            let _ = ep.push(c);
        }
        let _ = ep.finish();
    }
});
