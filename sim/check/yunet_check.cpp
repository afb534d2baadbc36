// Run the real YuNet face detector (OpenCV 4.6 FaceDetectorYN) on rendered sim frames.
// Usage: yunet_check <model.onnx> <image.png>...   Prints "<file> <n> x y w h score ..." per image.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/objdetect.hpp>

#include <cstdio>

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: yunet_check <model.onnx> <image.png>...\n");
    return 2;
  }
  cv::Ptr<cv::FaceDetectorYN> det = cv::FaceDetectorYN::create(argv[1], "", cv::Size(320, 320), 0.5f, 0.3f, 50);
  for (int i = 2; i < argc; ++i) {
    cv::Mat img = cv::imread(argv[i], cv::IMREAD_COLOR);
    if (img.empty()) {
      std::printf("%s unreadable\n", argv[i]);
      return 1;
    }
    det->setInputSize(img.size());
    cv::Mat faces;
    det->detect(img, faces);
    std::printf("%s %d", argv[i], faces.rows);
    for (int r = 0; r < faces.rows; ++r) {
      std::printf(" %.1f %.1f %.1f %.1f %.3f", faces.at<float>(r, 0), faces.at<float>(r, 1), faces.at<float>(r, 2),
                  faces.at<float>(r, 3), faces.at<float>(r, 14));
    }
    std::printf("\n");
  }
  return 0;
}
