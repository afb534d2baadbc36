//! `sensor_msgs/Image` with inconsistent sizes: width, height, step, encoding and data length all
//! chosen independently, into `letan_vision::ros::image_from_msg`, then the privacy blur and the
//! debug image (what the face node does with a camera frame, without OpenCV).
#![no_main]
use letan_msgs::sensor_msgs::Image;
use libfuzzer_sys::fuzz_target;

const ENCODINGS: [&str; 9] = [
    "bgr8", "rgb8", "mono8", "bgra8", "rgba8", "8UC3", "8UC1", "16UC1", "",
];

fn u32_at(d: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]])
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 14 {
        return;
    }
    // Sizes: small most of the time (the low byte), with the high bits free to claim huge sizes.
    let w = u32_at(data, 0);
    let h = u32_at(data, 4);
    let step = u32_at(data, 8);
    let enc = ENCODINGS[usize::from(data[12]) % ENCODINGS.len()];
    let is_bigendian = data[13] & 1;
    let payload = &data[14..];
    let msg = Image {
        header: Default::default(),
        height: h,
        width: w,
        encoding: enc.to_string(),
        is_bigendian,
        step,
        data: payload.to_vec(),
    };
    let Ok(img) = letan_vision::ros::image_from_msg(&msg) else {
        return;
    };
    // Face boxes from the tail of the data, any values (NaN, negative, outside the frame).
    let boxes: Vec<letan_greeting::BBox> = payload
        .chunks_exact(16)
        .take(4)
        .map(|c| letan_greeting::BBox {
            x: f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            y: f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            w: f32::from_le_bytes([c[8], c[9], c[10], c[11]]),
            h: f32::from_le_bytes([c[12], c[13], c[14], c[15]]),
        })
        .collect();
    let faces: Vec<letan_vision::blur::DebugFace> = boxes
        .iter()
        .map(|b| letan_vision::blur::DebugFace {
            bbox: *b,
            color: [0, 255, 0],
        })
        .collect();
    let out = letan_vision::blur::debug_image(&img, &faces, true);
    let _ = letan_vision::ros::image_to_msg(&out, Default::default());
});
