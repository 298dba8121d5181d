// Code recovery against fixture drivers with known truth (tests/fixtures/dispatch_*.c), for every
// toolchain: the exact IOCTL set, the routine in each MajorFunction slot, devices and links.
// Routine addresses come from each fixture's `drvsec_truth` table (a marker plus relocated
// pointers), so the truth is read from the binary independently of the analysis.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "binary/code_recovery.h"
#include "binary/kernel_platform.h"
#include "binary/recover.h"
#include "disasm/code_model.h"
#include "disasm/values.h"
#include "unit/loaded_driver.h"

namespace drvsec {
namespace {

using pe_test::kToolchains;
using Loaded = pe_test::LoadedDriver;
const auto load = pe_test::load_driver;

// RVAs of the routines listed in the fixture's drvsec_truth table.
std::vector<uint32_t> truth_routines(const Loaded& l, size_t count) {
  static const char kMarker[] = "DRVSEC-TRUTH-V1";
  auto it = std::search(l.bytes.begin(), l.bytes.end(), kMarker, kMarker + sizeof kMarker);
  std::vector<uint32_t> out;
  if (it == l.bytes.end()) return out;
  const size_t at = static_cast<size_t>(it - l.bytes.begin()) + 16;
  const size_t ps = l.image.is_pe32_plus ? 8 : 4;
  for (size_t i = 0; i < count && at + (i + 1) * ps <= l.bytes.size(); ++i) {
    uint64_t va = 0;
    std::memcpy(&va, l.bytes.data() + at + i * ps, ps);
    out.push_back(static_cast<uint32_t>(va - l.image.image_base));
  }
  return out;
}

std::vector<uint32_t> codes(const DriverModel& m) {
  std::vector<uint32_t> out;
  for (const auto& io : m.ioctls) out.push_back(io.code);
  return out;
}

std::optional<uint32_t> slot(const DriverModel& m, uint8_t major) {
  const DispatchRoutine* d = m.dispatch_for(major);
  return d ? std::optional(d->rva) : std::nullopt;
}

class CodeRecovery : public ::testing::TestWithParam<const char*> {};

TEST_P(CodeRecovery, SwitchDispatchWithJumpTable) {
  auto l = load(std::string("dispatch_switch_") + GetParam());
  ASSERT_TRUE(l);
  const auto truth = truth_routines(*l, 3);  // CreateClose, DeviceControl, Unload
  ASSERT_EQ(truth.size(), 3u);
  const DriverModel& m = *l->file.model;
  EXPECT_TRUE(m.code_analyzed);
  EXPECT_EQ(codes(m), (std::vector<uint32_t>{0x80002000, 0x80002007, 0x80002009, 0x8000200E, 0x80002010, 0x80002017,
                                             0x80006400}));
  ASSERT_EQ(m.dispatch.size(), 3u);
  EXPECT_EQ(slot(m, kIrpMjCreate), truth[0]);
  EXPECT_EQ(slot(m, kIrpMjClose), truth[0]);
  EXPECT_EQ(slot(m, kIrpMjDeviceControl), truth[1]);
  EXPECT_EQ(m.driver_unload_rva, truth[2]);
  for (const auto& io : m.ioctls) {
    EXPECT_EQ(io.handler_function_rva, truth[1]) << std::hex << io.code;
    ASSERT_TRUE(io.handler_rva);
  }
  // Every code has its own handler block (the case bodies differ).
  std::set<uint32_t> handlers;
  for (const auto& io : m.ioctls) handlers.insert(*io.handler_rva);
  EXPECT_EQ(handlers.size(), m.ioctls.size());

  // The switch really compiled to a jump table, and the recovered codes came from it.
  disasm::CodeModel code(l->image, kernel_platform(l->image));
  const disasm::Function* f = code.function_at(truth[1]);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->jump_tables.size(), 1u);
  EXPECT_GE(f->jump_tables[0].case_targets.size(), 24u);
  size_t from_table = 0;
  for (const auto& io : m.ioctls) from_table += io.provenance.how == "jump table on IoControlCode";
  EXPECT_EQ(from_table, 6u);

  ASSERT_EQ(m.devices.size(), 1u);
  const Device& d = m.devices[0];
  EXPECT_EQ(d.name, "\\Device\\SwitchDev");
  EXPECT_EQ(d.created_by, "IoCreateDevice");
  EXPECT_EQ(d.device_type, 0x8000u);
  EXPECT_EQ(d.characteristics, 0x100u);  // FILE_DEVICE_SECURE_OPEN
  EXPECT_EQ(d.exclusive, true);
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].name, "\\DosDevices\\SwitchDev");
  EXPECT_EQ(m.links[0].target, "\\Device\\SwitchDev");
  EXPECT_TRUE(m.recovery_notes.empty());
}

TEST_P(CodeRecovery, IfChainAndHelperFillingAllSlots) {
  auto l = load(std::string("dispatch_ifchain_") + GetParam());
  ASSERT_TRUE(l);
  const auto truth = truth_routines(*l, 3);  // DefaultDispatch, Create, DeviceControl
  ASSERT_EQ(truth.size(), 3u);
  const DriverModel& m = *l->file.model;
  EXPECT_EQ(codes(m), (std::vector<uint32_t>{0x222400, 0x226404, 0x22A40B}));
  ASSERT_EQ(m.dispatch.size(), 28u);
  for (uint8_t major = 0; major <= kIrpMjMaximum; ++major) {
    const uint32_t expected = major == kIrpMjCreate ? truth[1] : major == kIrpMjDeviceControl ? truth[2] : truth[0];
    EXPECT_EQ(slot(m, major), expected) << irp_major_name(major);
  }
  EXPECT_FALSE(m.driver_unload_rva);
  ASSERT_EQ(m.devices.size(), 1u);
  EXPECT_EQ(m.devices[0].name, "\\Device\\ChainDev");
  EXPECT_EQ(m.devices[0].device_type, 0x22u);
  EXPECT_EQ(m.devices[0].characteristics, 0u);  // no FILE_DEVICE_SECURE_OPEN
  EXPECT_EQ(m.devices[0].exclusive, false);
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].name, "\\??\\ChainDev");
  EXPECT_EQ(m.links[0].target, "\\Device\\ChainDev");
}

TEST_P(CodeRecovery, SparseCodesInCalleeAndSecureCreate) {
  auto l = load(std::string("dispatch_sparse_") + GetParam());
  ASSERT_TRUE(l);
  const auto truth = truth_routines(*l, 3);  // CreateClose, DeviceControl, AddDevice
  ASSERT_EQ(truth.size(), 3u);
  const DriverModel& m = *l->file.model;
  std::vector<uint32_t> expected;
  for (uint32_t k = 0; k < 10; ++k) expected.push_back(0x90002000u + k * 0x104u + (k % 4u));
  EXPECT_EQ(codes(m), expected);
  for (const auto& io : m.ioctls) EXPECT_NE(io.handler_function_rva, truth[1]) << "codes are tested in the callee";
  ASSERT_EQ(m.dispatch.size(), 3u);
  EXPECT_EQ(slot(m, kIrpMjCreate), truth[0]);
  EXPECT_EQ(slot(m, kIrpMjClose), truth[0]);
  EXPECT_EQ(slot(m, kIrpMjDeviceControl), truth[1]);
  EXPECT_EQ(m.add_device_rva, truth[2]);
  ASSERT_EQ(m.devices.size(), 1u);
  const Device& d = m.devices[0];
  EXPECT_EQ(d.name, "\\Device\\SparseDev");
  EXPECT_EQ(d.created_by, "IoCreateDeviceSecure");
  EXPECT_EQ(d.sddl, "D:P(A;;GA;;;SY)(A;;GA;;;BA)");
  EXPECT_EQ(d.device_type, 0x22u);
  EXPECT_EQ(d.characteristics, 0x100u);
  EXPECT_TRUE(m.links.empty());
}

TEST_P(CodeRecovery, MinimalDriver) {
  auto l = load(std::string("minimal_wdm_") + GetParam());
  ASSERT_TRUE(l);
  const DriverModel& m = *l->file.model;
  ASSERT_EQ(m.dispatch.size(), 1u);
  EXPECT_EQ(m.dispatch[0].major, kIrpMjDeviceControl);
  EXPECT_TRUE(m.ioctls.empty());
  // The handler tests no IOCTL code: recovery says so instead of staying silent.
  ASSERT_EQ(m.recovery_notes.size(), 1u);
  EXPECT_EQ(m.recovery_notes[0].what, "IOCTL codes");
}

// SM-6: a switch on the function number only is recorded as a partial dispatch, and the rule
// fires on it; the full-code switches of the other fixtures are silent.
TEST_P(CodeRecovery, PartialIoctlDispatch) {
  auto l = load(std::string("dispatch_partial_") + GetParam());
  ASSERT_TRUE(l);
  const DriverModel& m = *l->file.model;
  const DispatchRoutine* dc = m.dispatch_for(kIrpMjDeviceControl);
  ASSERT_TRUE(dc);
  ASSERT_EQ(m.partial_ioctl_dispatch.size(), 1u);
  const PartialIoctlDispatch& d = m.partial_ioctl_dispatch[0];
  EXPECT_EQ(d.function_rva, dc->rva);
  EXPECT_EQ(d.code_bits, 0x3FFCu);
  EXPECT_EQ(d.form, "jump table");  // five dense cases: every toolchain builds a jump table
  EXPECT_TRUE(m.ioctls.empty());
  // Sparse function numbers: compared one by one.
  auto sparse = load(std::string("dispatch_partial_sparse_") + GetParam());
  ASSERT_TRUE(sparse);
  ASSERT_EQ(sparse->file.model->partial_ioctl_dispatch.size(), 1u);
  const PartialIoctlDispatch& chain = sparse->file.model->partial_ioctl_dispatch[0];
  EXPECT_EQ(chain.form, "compare chain");
  EXPECT_EQ(chain.code_bits, 0x3FFCu);
  EXPECT_EQ(chain.values, (std::vector<uint32_t>{0x800, 0x920, 0xA41, 0xB77}));
  EXPECT_EQ(pe_test::run_rule("sm-partial-ioctl-compare", sparse->file).size(), 1u);
  auto findings = pe_test::run_rule("sm-partial-ioctl-compare", l->file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("0x00003FFC (function)"), std::string::npos) << findings[0].message;
  for (const char* other : {"dispatch_switch_", "dispatch_ifchain_", "dispatch_sparse_", "primitives_", "kmdf_driver_"}) {
    auto clean = load(std::string(other) + GetParam());
    ASSERT_TRUE(clean) << other;
    EXPECT_TRUE(clean->file.model->partial_ioctl_dispatch.empty()) << other;
    EXPECT_TRUE(pe_test::run_rule("sm-partial-ioctl-compare", clean->file).empty()) << other;
  }
}

INSTANTIATE_TEST_SUITE_P(Toolchains, CodeRecovery, ::testing::ValuesIn(kToolchains),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The code model's bounds hold on garbage: random bytes as code end blocks at decoding errors,
// and the per-function instruction bound is reported, not exceeded.
TEST(CodeModel, BoundsOnHostileCode) {
  auto l = load("dispatch_switch_mingw-x64");
  ASSERT_TRUE(l);
  disasm::CodeLimits limits;
  limits.max_instructions_per_function = 8;
  disasm::CodeModel code(l->image, kernel_platform(l->image), limits);
  const disasm::Function* f = code.function_at(l->image.entry_point_rva);
  ASSERT_TRUE(f);
  EXPECT_LE(f->instructions.size(), 8u);
  EXPECT_TRUE(f->incomplete);
  ASSERT_FALSE(code.notes().empty());
  EXPECT_NE(code.notes()[0].why.find("analysis bound reached"), std::string::npos);
  // Not code at all: the headers are not executable.
  EXPECT_EQ(code.function_at(0), nullptr);
}

// Hostile code: every executable byte replaced by pseudo-random bytes (fixed seeds). Recovery
// terminates within its bounds and produces a model without crashing, on both architectures.
TEST(CodeModel, RandomCodeTerminates) {
  for (const char* name : {"dispatch_switch_mingw-x64", "dispatch_switch_clang-x86"}) {
    auto original = load(name);
    ASSERT_TRUE(original);
    for (uint32_t seed = 1; seed <= 8; ++seed) {
      std::vector<uint8_t> bytes = original->bytes;
      uint32_t x = seed * 2654435761u;
      for (const auto& sec : original->image.sections) {
        if (!sec.executable()) continue;
        for (uint64_t i = sec.raw_offset; i < uint64_t{sec.raw_offset} + sec.raw_size && i < bytes.size(); ++i) {
          x ^= x << 13, x ^= x >> 17, x ^= x << 5;
          bytes[i] = static_cast<uint8_t>(x);
        }
      }
      const auto image = pe::Image::parse(bytes);
      const DriverModel m = recover_model_from_image(image);
      EXPECT_TRUE(m.code_analyzed) << name << " seed " << seed;
    }
  }
}

// Calls through the IAT are resolved to the imported routine; arguments are recovered.
TEST(CodeModel, ImportCallsAndArguments) {
  for (const char* tc : kToolchains) {
    auto l = load(std::string("minimal_wdm_") + tc);
    ASSERT_TRUE(l);
    disasm::CodeModel code(l->image, kernel_platform(l->image));
    const disasm::Function* f = code.function_at(l->image.entry_point_rva);
    ASSERT_TRUE(f);
    std::vector<std::string> imported;
    for (const auto& c : f->calls)
      if (c.import) imported.push_back(c.import->name);
    disasm::ValueAnalysis va(code, *f, std::vector<disasm::Value>{disasm::Value::of(disasm::ValueKind::driver_object)});
    bool saw_create = false;
    va.for_each([&](const disasm::Instruction& i, const disasm::State& st) {
      if (!i.is_call()) return;
      const disasm::ImportRef* imp = va.import_called(i, st);
      if (imp) imported.push_back(imp->name);
      if (imp && imp->name == "IoCreateDevice") {
        saw_create = true;
        EXPECT_TRUE(st.call_argument(0).exactly(disasm::ValueKind::driver_object)) << tc;
        EXPECT_EQ(st.call_argument(3).as_constant(), 0x22u) << tc;  // FILE_DEVICE_UNKNOWN
        EXPECT_EQ(st.call_argument(4).as_constant(), 0u) << tc;
        EXPECT_TRUE(st.call_argument(2).is(disasm::ValueKind::stack_address)) << tc;
      }
    });
    EXPECT_TRUE(saw_create) << tc;
    EXPECT_NE(std::find(imported.begin(), imported.end(), "IoCreateSymbolicLink"), imported.end()) << tc;
  }
}

// Real known-vulnerable drivers (when /work/shared is present): the DEVICE_CONTROL routine is
// found in at least 95% of the WDM drivers, and every file is analyzed within bounds.
TEST(CodeRecoveryCorpus, IoctlanceHandlersFound) {
  // DRVSEC_SHARED_DIR overrides the default for worktrees that are not next to shared/.
  const char* shared = std::getenv("DRVSEC_SHARED_DIR");
  const std::string dir = std::string(shared ? shared : DRVSEC_SOURCE_DIR "/../shared") + "/corpus/ioctlance";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) GTEST_SKIP() << "no corpus at " << dir;
  size_t wdm = 0, found = 0, kmdf = 0, kmdf_bound = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto bytes = pe_test::read_file(e.path().string());
    try {
      auto image = pe::Image::parse(bytes);
      DriverModel m = recover_model_from_image(image);
      if (m.is_kernel_driver && m.framework == DriverFramework::kmdf) {
        ++kmdf;
        kmdf_bound += m.kmdf.has_value();  // WdfVersionBind and its WDF_BIND_INFO recovered
      }
      if (!m.is_kernel_driver || m.framework == DriverFramework::kmdf) continue;
      ++wdm;
      found += m.dispatch_for(kIrpMjDeviceControl) != nullptr;
    } catch (const pe::FormatError&) {
    }
  }
  ASSERT_GT(wdm, 0u);
  EXPECT_GE(found * 100, wdm * 95) << found << " of " << wdm;
  EXPECT_EQ(kmdf_bound, kmdf);
}

}  // namespace
}  // namespace drvsec
