//! CDR encode/decode speed of the big messages (Image, LaserScan, OccupancyGrid, audio chunk).
use byteorder::LittleEndian;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use letan_msgs::audio_common_msgs::{AudioData, AudioDataStamped};
use letan_msgs::nav_msgs::OccupancyGrid;
use letan_msgs::sensor_msgs::{Image, LaserScan};
use letan_msgs::std_msgs::Header;

fn image() -> Image {
    Image {
        header: Header::default(),
        height: 480,
        width: 640,
        encoding: "rgb8".into(),
        is_bigendian: 0,
        step: 640 * 3,
        data: (0..640 * 480 * 3).map(|i| (i % 251) as u8).collect(),
    }
}

fn bench<T>(c: &mut Criterion, name: &str, msg: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let bytes = cdr_encoding::to_vec::<T, LittleEndian>(msg).expect("encode");
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            cdr_encoding::to_vec::<T, LittleEndian>(std::hint::black_box(msg)).expect("encode")
        })
    });
    // Decoded values are dropped inside the loop, so the allocator reuses the same buffer (as a
    // subscriber that handles one message at a time does).
    g.bench_function("decode", |b| {
        b.iter(|| {
            cdr_encoding::from_bytes::<T, LittleEndian>(std::hint::black_box(&bytes))
                .expect("decode")
        })
    });
    g.finish();
}

/// The same layout as `Image`, but with serde's default `Vec<u8>` handling (one call per byte):
/// the baseline that the crate's block-copy `octets` helper is measured against.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct PlainImage {
    header: Header,
    height: u32,
    width: u32,
    encoding: String,
    is_bigendian: u8,
    step: u32,
    data: Vec<u8>,
}

fn benches(c: &mut Criterion) {
    let img = image();
    bench(c, "image_640x480_rgb8", &img);
    let plain = PlainImage {
        header: img.header.clone(),
        height: img.height,
        width: img.width,
        encoding: img.encoding.clone(),
        is_bigendian: img.is_bigendian,
        step: img.step,
        data: img.data.clone(),
    };
    let ours = cdr_encoding::to_vec::<Image, LittleEndian>(&img).expect("encode");
    let theirs = cdr_encoding::to_vec::<PlainImage, LittleEndian>(&plain).expect("encode");
    assert_eq!(ours, theirs, "the octets helper must not change the bytes");
    bench(c, "image_640x480_rgb8_plain_vec_baseline", &plain);
    let scan = LaserScan {
        ranges: vec![1.5; 1080],
        intensities: vec![100.0; 1080],
        ..Default::default()
    };
    bench(c, "laserscan_1080", &scan);
    let mut map = OccupancyGrid::default();
    map.info.width = 1000;
    map.info.height = 1000;
    map.data = (0..1_000_000)
        .map(|i| if i % 7 == 0 { -1 } else { (i % 101) as i8 })
        .collect();
    bench(c, "occupancygrid_1000x1000", &map);
    let audio = AudioDataStamped {
        header: Header::default(),
        audio: AudioData { data: vec![7; 640] },
    };
    bench(c, "audio_20ms_16k_s16", &audio);
}

criterion_group!(cdr, benches);
criterion_main!(cdr);
