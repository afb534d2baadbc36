// Parse SDF files with Debian's libsdformat12 (the real parser) and print a summary per file.
// Usage: sdf_check <models_dir> <file.sdf>...
// `model://` URIs resolve under <models_dir>. Exit status 1 if any file has errors.
#include <sdf/sdf.hh>

#include <iostream>
#include <string>

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: sdf_check <models_dir> <file.sdf>...\n";
    return 2;
  }
  sdf::ParserConfig config;
  config.AddURIPath("model://", argv[1]);
  config.SetWarningsPolicy(sdf::EnforcementPolicy::ERR);
  config.SetUnrecognizedElementsPolicy(sdf::EnforcementPolicy::ERR);
  int failed = 0;
  for (int i = 2; i < argc; ++i) {
    sdf::Root root;
    sdf::Errors errors = root.Load(argv[i], config);
    if (!errors.empty()) {
      failed = 1;
      for (const auto &e : errors) {
        std::cout << "ERROR " << argv[i] << ": " << e.Message() << "\n";
      }
      continue;
    }
    std::cout << "OK " << argv[i] << " version=" << root.Version();
    if (root.WorldCount() > 0) {
      const sdf::World *w = root.WorldByIndex(0);
      std::cout << " world=" << w->Name() << " models=" << w->ModelCount()
                << " actors=" << w->ActorCount() << " frames=" << w->FrameCount();
      for (uint64_t m = 0; m < w->ModelCount(); ++m) {
        const sdf::Model *model = w->ModelByIndex(m);
        uint64_t sensors = 0;
        for (uint64_t l = 0; l < model->LinkCount(); ++l) sensors += model->LinkByIndex(l)->SensorCount();
        std::cout << " [" << model->Name() << " links=" << model->LinkCount()
                  << " joints=" << model->JointCount() << " sensors=" << sensors << "]";
      }
      for (uint64_t a = 0; a < w->ActorCount(); ++a) {
        const sdf::Actor *actor = w->ActorByIndex(a);
        std::cout << " {" << actor->Name() << " waypoints="
                  << (actor->TrajectoryCount() > 0 ? actor->TrajectoryByIndex(0)->WaypointCount() : 0) << "}";
      }
    } else if (const sdf::Model *model = root.Model()) {
      uint64_t sensors = 0;
      for (uint64_t l = 0; l < model->LinkCount(); ++l) sensors += model->LinkByIndex(l)->SensorCount();
      std::cout << " model=" << model->Name() << " links=" << model->LinkCount()
                << " joints=" << model->JointCount() << " sensors=" << sensors;
    }
    std::cout << "\n";
  }
  return failed;
}
