// Measures attack-surface recovery over a folder of drivers, one file at a time on one core:
//   drvsec_bench_ioctl_recovery DIR [--json]
// Reports the share of kernel drivers (all, and those not importing WDFLDR) whose
// IRP_MJ_DEVICE_CONTROL routine (KMDF: EvtIoDeviceControl) was found, the KMDF drivers whose
// binding, EvtIoDeviceControl and IOCTL codes were recovered,
// the IOCTL codes recovered (total and per driver), and the median / p95 / max time per driver
// (parse + recovery, file already read). A crash or hang would end the run: finishing is the
// "no crash, no hang" evidence.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "binary/recover.h"
#include "pe/image.h"

namespace {

struct Row {
  std::string name;
  bool kernel = false, kmdf = false, handler = false;
  bool kmdf_bound = false, kmdf_device_control = false;  // WdfVersionBind recovered; EvtIoDeviceControl found
  size_t ioctls = 0, notes = 0;
  double ms = 0;
  std::string error;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: drvsec_bench_ioctl_recovery DIR [--verbose]\n";
    return 2;
  }
  const bool verbose = argc > 2 && std::string(argv[2]) == "--verbose";
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(argv[1], ec))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());

  std::vector<Row> rows;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    Row r;
    r.name = path.filename().string();
    const auto start = std::chrono::steady_clock::now();
    try {
      const auto image = drvsec::pe::Image::parse(bytes);
      const drvsec::DriverModel m = drvsec::recover_model_from_image(image);
      r.kernel = m.is_kernel_driver;
      r.kmdf = m.framework == drvsec::DriverFramework::kmdf;
      r.kmdf_bound = m.kmdf.has_value();
      if (m.kmdf)
        for (const auto& q : m.kmdf->queue_callbacks) r.kmdf_device_control |= q.callback == "EvtIoDeviceControl";
      r.handler = m.dispatch_for(drvsec::kIrpMjDeviceControl) != nullptr || r.kmdf_device_control;
      r.ioctls = m.ioctls.size();
      r.notes = m.recovery_notes.size();
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    rows.push_back(r);
  }

  size_t kernel = 0, handler = 0, with_ioctls = 0, ioctls = 0, errors = 0, wdm = 0, wdm_handler = 0;
  size_t kmdf_bound = 0, kmdf_handler = 0, kmdf_ioctls = 0;
  std::vector<double> times, per_driver;
  for (const Row& r : rows) {
    times.push_back(r.ms);
    errors += !r.error.empty();
    if (!r.kernel) continue;
    ++kernel;
    handler += r.handler;
    wdm += !r.kmdf;
    wdm_handler += !r.kmdf && r.handler;
    kmdf_bound += r.kmdf && r.kmdf_bound;
    kmdf_handler += r.kmdf && r.kmdf_device_control;
    kmdf_ioctls += r.kmdf && r.ioctls > 0;
    with_ioctls += r.ioctls > 0;
    ioctls += r.ioctls;
    per_driver.push_back(static_cast<double>(r.ioctls));
    if (verbose || !r.handler)
      std::cout << fmt::format("{:<60} {} handler={} ioctls={:<4} notes={:<3} {:.2f} ms\n", r.name.substr(0, 60),
                               r.kmdf ? "kmdf" : "    ", r.handler ? "yes" : "NO ", r.ioctls, r.notes, r.ms);
  }
  auto share = [](size_t a, size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::cout << fmt::format("files {}  (not parsed: {}, kernel drivers: {}, of which importing WDFLDR (KMDF): {})\n",
                           rows.size(), errors, kernel, kernel - wdm);
  std::cout << fmt::format("DEVICE_CONTROL routine found: {}/{} kernel drivers = {:.1f}%; {}/{} not importing WDFLDR = {:.1f}%\n",
                           handler, kernel, share(handler, kernel), wdm_handler, wdm, share(wdm_handler, wdm));
  std::cout << fmt::format("KMDF: {} drivers, WdfVersionBind recovered {}, EvtIoDeviceControl found {}, with IOCTL codes {}\n",
                           kernel - wdm, kmdf_bound, kmdf_handler, kmdf_ioctls);
  std::cout << fmt::format("IOCTL codes: {} total, drivers with codes {}/{}, per driver median {:.0f} p95 {:.0f} max {:.0f}\n",
                           ioctls, with_ioctls, kernel, percentile(per_driver, 0.5), percentile(per_driver, 0.95),
                           percentile(per_driver, 1.0));
  std::cout << fmt::format("time per driver (one core): median {:.2f} ms, p95 {:.2f} ms, max {:.2f} ms\n",
                           percentile(times, 0.5), percentile(times, 0.95), percentile(times, 1.0));
  return 0;
}
