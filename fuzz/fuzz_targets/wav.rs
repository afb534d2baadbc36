//! WAV files (`letan speech transcribe in.wav`, test WAVs): parsing, then the conversion to the
//! recognizer's rate and the endpointer over the result.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(audio) = letan_speech::wav::read_wav_bytes(data, "fuzz.wav") else {
        return;
    };
    let _ = audio.duration_s();
    let _ = audio.rms_dbfs();
    // Bound the work per input (a header may claim hours of audio at a tiny rate).
    if audio.samples.len() > 200_000 {
        return;
    }
    if let Ok(a) = letan_speech::audio::to_asr_rate(&audio) {
        if let Ok(mut ep) =
            letan_speech::Endpointer::new(letan_speech::EndpointConfig::default(), a.sample_rate)
        {
            let _ = ep.push(&a.samples);
            let _ = ep.finish();
        }
    }
});
