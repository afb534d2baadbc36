//! Face detection on a thread of its own, one frame in flight.
//!
//! The face node hands a frame to [`DetectorThread::submit`] and goes back to waiting for its
//! next tick; at that tick it takes the faces with [`DetectorThread::wait`] (which blocks only if
//! the detection is not done yet) and tracks them with the frame's own time. So detection runs
//! while the rest of the robot (and, in the simulator, the world step and the camera render)
//! runs, and the faces are published one tick later, with the frame's stamp. What comes out does
//! not depend on thread timing: the frame is always collected at the next tick.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use crate::{Detection, FaceDetector, Image, VisionError};

/// A frame, what the caller handed over with it (`T`: the frame's time and context), and what
/// the detector found in it.
pub type Detected<T> = (Image, T, Result<Vec<Detection>, VisionError>);

/// A [`FaceDetector`] running on its own thread. See the module docs.
pub struct DetectorThread<T: Send + 'static = ()> {
    name: String,
    jobs: Option<SyncSender<(Image, T)>>,
    results: Receiver<Detected<T>>,
    in_flight: bool,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> DetectorThread<T> {
    /// Moves `detector` to a new thread named `face-detector`.
    pub fn spawn(mut detector: Box<dyn FaceDetector + Send>) -> Result<Self, VisionError> {
        let name = detector.name().to_string();
        let (jobs, inbox) = sync_channel::<(Image, T)>(1);
        let (outbox, results) = sync_channel::<Detected<T>>(1);
        let thread = std::thread::Builder::new()
            .name("face-detector".into())
            .spawn(move || {
                for (frame, tag) in inbox {
                    let found = detector.detect(&frame);
                    if outbox.send((frame, tag, found)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| VisionError::DetectorThread {
                reason: format!("cannot start: {e}"),
            })?;
        Ok(Self {
            name,
            jobs: Some(jobs),
            results,
            in_flight: false,
            thread: Some(thread),
        })
    }

    /// The detector's name, e.g. `yunet-2022mar`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A frame is being detected (submitted and not yet collected).
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// Starts detecting `frame`; `tag` comes back with it. Refused while another frame is in
    /// flight (collect it first with [`wait`](Self::wait)), or when the thread is gone.
    pub fn submit(&mut self, frame: Image, tag: T) -> Result<(), VisionError> {
        if self.in_flight {
            return Err(VisionError::DetectorThread {
                reason: "a frame is already in flight; wait for it first".into(),
            });
        }
        let gone = || VisionError::DetectorThread {
            reason: "the detector thread has stopped".into(),
        };
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send((frame, tag))
            .map_err(|_| gone())?;
        self.in_flight = true;
        Ok(())
    }

    /// The frame in flight, its tag and its faces, once detected (blocks until then). `None` when
    /// no frame is in flight. A detector thread that died gives the error instead.
    pub fn wait(&mut self) -> Option<Result<Detected<T>, VisionError>> {
        if !self.in_flight {
            return None;
        }
        self.in_flight = false;
        Some(
            self.results
                .recv()
                .map_err(|_| VisionError::DetectorThread {
                    reason: "the detector thread stopped during a detection".into(),
                }),
        )
    }
}

impl<T: Send + 'static> Drop for DetectorThread<T> {
    fn drop(&mut self) {
        // Closing the job channel ends the thread's loop after the frame in flight, if any (its
        // result fits the channel's one free slot, so the thread never blocks on it).
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            drop(t.join());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{BBox, FakeDetector};

    fn face(x: f32) -> Vec<Detection> {
        vec![Detection::new(BBox::new(x, 10.0, 40.0, 40.0), 0.9)]
    }

    #[test]
    fn frames_come_back_in_order_with_their_own_faces() {
        let script = (0..5).map(|k| face(10.0 * k as f32)).collect();
        let mut t = DetectorThread::<u32>::spawn(Box::new(FakeDetector::new(script))).unwrap();
        assert!(t.wait().is_none(), "nothing in flight");
        for k in 0..5u32 {
            let frame = Image::filled(64 + k, 48, [0, 0, 0]).unwrap();
            t.submit(frame, k).unwrap();
            assert!(t.in_flight());
            let (frame, tag, found) = t.wait().unwrap().unwrap();
            assert_eq!(frame.width(), 64 + k, "the same frame comes back");
            assert_eq!(tag, k, "with its own tag");
            assert_eq!(found.unwrap(), face(10.0 * k as f32));
            assert!(!t.in_flight());
        }
    }

    #[test]
    fn a_second_frame_before_the_first_is_collected_is_refused() {
        let mut t = DetectorThread::<()>::spawn(Box::new(FakeDetector::fixed(face(0.0)))).unwrap();
        t.submit(Image::filled(8, 8, [0, 0, 0]).unwrap(), ())
            .unwrap();
        let e = t
            .submit(Image::filled(8, 8, [0, 0, 0]).unwrap(), ())
            .unwrap_err();
        assert!(e.to_string().contains("in flight"), "{e}");
        assert!(t.wait().unwrap().unwrap().2.is_ok());
    }

    #[test]
    fn a_detector_error_comes_back_with_its_frame_and_the_thread_goes_on() {
        let mut t =
            DetectorThread::<()>::spawn(Box::new(FakeDetector::fixed(face(0.0)).failing_on(1)))
                .unwrap();
        let mut errors = 0;
        for _ in 0..3 {
            t.submit(Image::filled(8, 8, [0, 0, 0]).unwrap(), ())
                .unwrap();
            let (_, _, found) = t.wait().unwrap().unwrap();
            errors += usize::from(found.is_err());
        }
        assert_eq!(errors, 1);
    }

    #[test]
    fn dropping_with_a_frame_in_flight_ends_the_thread() {
        let mut t = DetectorThread::<()>::spawn(Box::new(FakeDetector::fixed(face(0.0)))).unwrap();
        t.submit(Image::filled(8, 8, [0, 0, 0]).unwrap(), ())
            .unwrap();
        drop(t); // joins; a hang here fails the test by timeout
    }
}
