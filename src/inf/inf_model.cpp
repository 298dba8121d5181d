#include "inf/inf_model.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "base/ascii.h"

namespace drvsec::inf {

namespace {

constexpr size_t kMaxWork = 500'000;  // section lines read while resolving, all platforms together

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii_lower(text.substr(0, prefix.size())) == ascii_lower(prefix);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::optional<int32_t> parse_dirid(std::string_view text) {
  if (!text.empty() && text.front() == '-') {
    auto n = parse_number(text.substr(1));
    if (!n || *n > 0x7FFFFFFFull) return std::nullopt;
    return -static_cast<int32_t>(*n);
  }
  auto n = parse_number(text);
  if (!n || *n > 0x7FFFFFFFull) return std::nullopt;
  return *n == 65535 ? -1 : static_cast<int32_t>(*n);  // 65535 is a synonym of -1
}

class Reader {
 public:
  Reader(const InfFile& inf, InfModel& model) : inf_(inf), model_(model) {
    for (const Section& s : inf.sections()) by_name_.emplace(ascii_lower(s.name), &s);
  }

  void read() {
    read_version();
    read_destination_dirs();
    read_manufacturers();
    read_interface_install32();
    for (std::string_view arch : kArchitectures) model_.platforms.push_back(read_platform(arch));
  }

 private:
  const InfFile& inf_;
  InfModel& model_;
  std::unordered_map<std::string, const Section*> by_name_;
  size_t work_ = 0;
  bool work_reported_ = false;

  const Section* find(std::string_view name) const {
    auto it = by_name_.find(ascii_lower(name));
    return it == by_name_.end() ? nullptr : it->second;
  }

  Location at(const Line& line) const {
    Location l = at_line(model_.path, line.line_number);
    if (line.end_line > line.line_number) l.range->end_line = line.end_line;
    return l;
  }
  Location at(const Section& s) const { return at_line(model_.path, s.line_number); }

  void diagnose(uint32_t line, std::string message) { model_.diagnostics.push_back({line, 0, std::move(message)}); }

  // Counts section lines read; false once the budget is spent (reported once).
  bool spend(const Section& s) {
    work_ += s.lines.size() + 1;
    if (work_ <= kMaxWork) return true;
    if (!work_reported_) diagnose(s.line_number, fmt::format("more than {} section lines read while resolving; the rest is not read", kMaxWork));
    work_reported_ = true;
    return false;
  }

  std::string sub(std::string_view v) const { return inf_.substitute(v); }
  std::string value_at(const Line& line, size_t i) const { return i < line.values.size() ? sub(line.values[i]) : std::string(); }

  void read_version() {
    const Section* version = find("Version");
    if (!version) return;
    VersionFacts& v = model_.version;
    for (const Line& line : version->lines) {
      if (!line.key) continue;
      const std::string key = ascii_lower(*line.key);
      InfText text{value_at(line, 0), at(line)};
      if (key == "signature") v.signature = text;
      else if (key == "class") v.class_name = text;
      else if (key == "classguid") v.class_guid = text;
      else if (key == "provider") v.provider = text;
      else if (key == "pnplockdown") v.pnp_lockdown = text;
      else if (key == "driverver") {
        v.driver_date = text.value;
        v.driver_version = value_at(line, 1);
        text.value = sub(line.text);
        v.driver_ver = text;
      } else if (key == "catalogfile") {
        v.catalog_files.push_back({"", text});
      } else if (key.rfind("catalogfile.", 0) == 0) {
        v.catalog_files.push_back({line.key->substr(12), text});
      }
    }
  }

  void read_destination_dirs() {
    const Section* dirs = find("DestinationDirs");
    if (!dirs) return;
    for (const Line& line : dirs->lines) {
      if (!line.key) continue;
      DestinationDir d{ascii_lower(*line.key), parse_dirid(value_at(line, 0)), value_at(line, 1), at(line)};
      if (!d.dirid)
        diagnose(line.line_number, fmt::format("[DestinationDirs] {}: '{}' is not a DIRID number", *line.key,
                                               line.values.empty() ? std::string() : line.values.front()));
      model_.destination_dirs.push_back(std::move(d));
    }
  }

  const DestinationDir* destination(std::string_view list_section) const {
    const std::string wanted = ascii_lower(list_section);
    const DestinationDir* fallback = nullptr;
    for (const DestinationDir& d : model_.destination_dirs) {
      if (!list_section.empty() && d.section == wanted) return &d;
      if (d.section == "defaultdestdir" && !fallback) fallback = &d;
    }
    return fallback;
  }

  void read_manufacturers() {
    const Section* manufacturer = find("Manufacturer");
    if (!manufacturer) return;
    for (const Line& line : manufacturer->lines) {
      if (line.values.empty() || line.values.front().empty()) {
        diagnose(line.line_number, "[Manufacturer] line without a Models section name");
        continue;
      }
      const std::string base = sub(line.values.front());
      const std::string maker = line.key ? sub(*line.key) : std::string();
      std::vector<std::pair<std::string, InfPlatform>> names;
      if (line.values.size() == 1) {
        names.push_back({base, {}});
      } else {
        for (size_t i = 1; i < line.values.size(); ++i) {
          const std::string decoration = sub(line.values[i]);
          if (decoration.empty()) continue;
          if (auto platform = parse_platform(decoration)) names.push_back({base + "." + decoration, *platform});
          else diagnose(line.line_number, fmt::format("[Manufacturer] '{}' is not a platform decoration (NT[arch][.version])", decoration));
        }
      }
      for (auto& [name, platform] : names) {
        ModelsSection models{maker, name, platform, false, {}, at(line)};
        if (const Section* s = find(name); s && spend(*s)) {
          models.present = true;
          for (const Line& device : s->lines) models.devices.push_back(read_device(device));
        }
        model_.models.push_back(std::move(models));
      }
    }
  }

  ModelDevice read_device(const Line& line) {
    ModelDevice d;
    d.at = at(line);
    if (!line.key) diagnose(line.line_number, "Models line without a device description before '='");
    d.description = line.key ? sub(*line.key) : std::string();
    d.install_section = value_at(line, 0);
    for (size_t i = 1; i < line.values.size(); ++i) {
      std::string id = sub(line.values[i]);
      if (id.empty()) continue;
      const bool root = starts_with_nocase(id, "root\\");
      d.ids.push_back({std::move(id), root});
    }
    if (d.install_section.empty()) diagnose(line.line_number, "Models line without an install section name");
    return d;
  }

  void read_interface_install32() {
    const Section* s = find("InterfaceInstall32");
    if (!s) return;
    for (const Line& line : s->lines) {
      if (!line.key) continue;
      InterfaceInstall i{sub(*line.key), "", value_at(line, 0), {}, at(line)};
      if (const Section* install = find(i.install_section); install && spend(*install)) read_registry_directives(*install, i.registry);
      model_.interface_install32.push_back(std::move(i));
    }
  }

  // The AddReg/DelReg directives of `section`: their lines appended to `out`.
  void read_registry_directives(const Section& section, std::vector<RegistryLine>& out) {
    for (const Line& line : section.lines) {
      if (!line.key) continue;
      const std::string key = ascii_lower(*line.key);
      if (key == "addreg" || key == "delreg")
        for (const std::string& name : line.values) read_registry_section(sub(name), key == "delreg", out);
    }
  }

  // The SDDL a [<name>.security] section holds (its first line, quotes removed), when it exists.
  std::optional<InfText> security_of(std::string_view name) const {
    const Section* s = find(std::string(name) + ".security");
    if (!s || s->lines.empty()) return std::nullopt;
    return InfText{sub(s->lines.front().text), at(s->lines.front())};
  }

  void read_registry_section(const std::string& name, bool remove, std::vector<RegistryLine>& out) {
    if (name.empty()) return;
    const Section* s = find(name);
    if (!s || !spend(*s)) return;
    const std::optional<InfText> security = security_of(s->name);
    for (const Line& line : s->lines) {
      if (line.key) {
        diagnose(line.line_number, fmt::format("registry section [{}]: a line with '=' is not a registry entry", s->name));
        continue;
      }
      RegistryLine r;
      r.remove = remove;
      r.section = s->name;
      r.at = at(line);
      r.root = upper(value_at(line, 0));
      r.subkey = value_at(line, 1);
      r.value_name = value_at(line, 2);
      if (line.values.size() > 3 && !line.values[3].empty()) {
        if (auto f = parse_number(sub(line.values[3])); f && *f <= 0xFFFFFFFFull) r.flags = static_cast<uint32_t>(*f);
        else diagnose(line.line_number, fmt::format("registry flags '{}' are not a number", line.values[3]));
      }
      for (size_t i = 4; i < line.values.size(); ++i) r.value.push_back(sub(line.values[i]));
      if (!r.value.empty()) r.number = parse_number(r.value.front());
      const std::string value_name = ascii_lower(r.value_name);
      if (value_name == "upperfilters") r.kind = RegistryValueKind::upper_filters;
      else if (value_name == "lowerfilters") r.kind = RegistryValueKind::lower_filters;
      else if (r.root == "HKR" && r.subkey.empty()) {
        if (value_name == "security") r.kind = RegistryValueKind::security;
        else if (value_name == "devicecharacteristics") r.kind = RegistryValueKind::device_characteristics;
        else if (value_name == "devicetype") r.kind = RegistryValueKind::device_type;
        else if (value_name == "exclusive") r.kind = RegistryValueKind::exclusive;
      }
      if (r.root.empty()) diagnose(line.line_number, "registry entry without a root key (HKR, HKLM, ...)");
      r.section_security = security;
      out.push_back(std::move(r));
    }
  }

  void read_copy_files(const Line& line, std::vector<FileCopy>& out) {
    for (const std::string& written : line.values) {
      const std::string name = sub(written);
      if (name.empty()) continue;
      if (name.front() == '@') {
        FileCopy f{name.substr(1), "", "", std::nullopt, "", std::nullopt, at(line)};
        if (const DestinationDir* d = destination("")) f.dirid = d->dirid, f.subdir = d->subdir;
        out.push_back(std::move(f));
        continue;
      }
      const Section* list = find(name);
      if (!list || !spend(*list)) continue;
      const DestinationDir* d = destination(name);
      const std::optional<InfText> security = security_of(list->name);
      for (const Line& entry : list->lines) {
        if (entry.key || entry.values.empty() || entry.values.front().empty()) continue;
        FileCopy f{value_at(entry, 0), value_at(entry, 1), list->name, std::nullopt, "", security, at(entry)};
        if (d) f.dirid = d->dirid, f.subdir = d->subdir;
        out.push_back(std::move(f));
      }
    }
  }

  ServiceInstall read_service(const Line& line) {
    ServiceInstall s;
    s.at = at(line);
    s.name = value_at(line, 0);
    if (line.values.size() > 1 && !line.values[1].empty())
      if (auto f = parse_number(sub(line.values[1])); f && *f <= 0xFFFFFFFFull) s.flags = static_cast<uint32_t>(*f);
    s.install_section = value_at(line, 2);
    if (s.name.empty()) diagnose(line.line_number, "AddService without a service name");
    const Section* section = s.install_section.empty() ? nullptr : find(s.install_section);
    if (!section || !spend(*section)) return s;
    s.section_present = true;
    auto number = [&](const Line& l) -> std::optional<uint32_t> {
      auto n = parse_number(value_at(l, 0));
      if (!n || *n > 0xFFFFFFFFull) {
        diagnose(l.line_number, fmt::format("{} '{}' is not a number", *l.key, value_at(l, 0)));
        return std::nullopt;
      }
      return static_cast<uint32_t>(*n);
    };
    for (const Line& l : section->lines) {
      if (!l.key) continue;
      const std::string key = ascii_lower(*l.key);
      if (key == "servicetype") s.service_type = number(l);
      else if (key == "starttype") s.start_type = number(l);
      else if (key == "errorcontrol") s.error_control = number(l);
      else if (key == "servicebinary") s.service_binary = value_at(l, 0);
      else if (key == "loadordergroup") s.load_order_group = value_at(l, 0);
      else if (key == "security") s.security = sub(l.text);
      else if (key == "displayname") s.display_name = sub(l.text);
    }
    read_registry_directives(*section, s.registry);
    return s;
  }

  // The section Windows reads for `name` on `arch`: name.NT<arch>, else name.NT, else name.
  const Section* resolve(std::string_view name, std::string_view arch) const {
    if (const Section* s = find(std::string(name) + ".NT" + std::string(arch))) return s;
    if (const Section* s = find(std::string(name) + ".NT")) return s;
    return find(name);
  }

  InstallSection read_install(std::string_view requested, std::string_view arch) {
    InstallSection install;
    install.requested = std::string(requested);
    const Section* s = resolve(requested, arch);
    if (!s || !spend(*s)) return install;
    install.name = s->name;
    install.at = at(*s);
    for (const Line& line : s->lines) {
      if (!line.key) continue;
      Directive d{ascii_lower(*line.key), {}, at(line)};
      for (const std::string& v : line.values) d.values.push_back(sub(v));
      if (d.key == "addreg" || d.key == "delreg") {
        for (const std::string& name : d.values) read_registry_section(name, d.key == "delreg", install.registry);
      } else if (d.key == "copyfiles") {
        read_copy_files(line, install.files);
      } else if (d.key == "needs" || d.key == "include") {
        for (const std::string& v : d.values)
          if (!v.empty()) (d.key == "needs" ? install.needs : install.includes).push_back({v, at(line)});
      }
      install.directives.push_back(std::move(d));
    }
    const std::string base = s->name;
    if (const Section* hw = find(base + ".HW"); hw && spend(*hw)) read_registry_directives(*hw, install.hw_registry);
    if (const Section* services = find(base + ".Services"); services && spend(*services))
      for (const Line& line : services->lines)
        if (line.key && ascii_lower(*line.key) == "addservice") install.services.push_back(read_service(line));
    if (const Section* interfaces = find(base + ".Interfaces"); interfaces && spend(*interfaces))
      for (const Line& line : interfaces->lines) {
        if (!line.key || ascii_lower(*line.key) != "addinterface") continue;
        InterfaceInstall i{value_at(line, 0), value_at(line, 1), value_at(line, 2), {}, at(line)};
        if (const Section* add = i.install_section.empty() ? nullptr : find(i.install_section); add && spend(*add))
          read_registry_directives(*add, i.registry);
        install.interfaces.push_back(std::move(i));
      }
    if (const Section* wmi = find(base + ".WMI"); wmi && spend(*wmi))
      for (const Line& line : wmi->lines) {
        if (!line.key || ascii_lower(*line.key) != "wmiinterface") continue;
        WmiInterface w{value_at(line, 0), std::nullopt, value_at(line, 2), std::nullopt, at(line)};
        if (auto f = parse_number(value_at(line, 1)); f && *f <= 0xFFFFFFFFull) w.flags = static_cast<uint32_t>(*f);
        if (const Section* cls = w.class_section.empty() ? nullptr : find(w.class_section); cls && spend(*cls))
          for (const Line& l : cls->lines)
            if (l.key && ascii_lower(*l.key) == "security") w.security = InfText{sub(l.text), at(l)};
        install.wmi.push_back(std::move(w));
      }
    if (const Section* co = find(base + ".CoInstallers"); co && spend(*co)) {
      install.coinstallers = at(*co);
      read_registry_directives(*co, install.coinstaller_registry);
      for (const Line& line : co->lines)
        if (line.key && ascii_lower(*line.key) == "copyfiles") read_copy_files(line, install.coinstaller_files);
    }
    return install;
  }

  PlatformInstall read_platform(std::string_view arch) {
    PlatformInstall p;
    p.architecture = std::string(arch);
    std::vector<std::string> seen;  // lower-cased install section names, in first-named order
    for (const ModelsSection& models : model_.models) {
      if (!models.platform.architecture.empty() && models.platform.architecture != arch) continue;
      for (const ModelDevice& device : models.devices) {
        const std::string key = ascii_lower(device.install_section);
        if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        p.device_installs.push_back(read_install(device.install_section, arch));
      }
    }
    if (resolve("DefaultInstall", arch)) p.default_install = read_install("DefaultInstall", arch);
    if (resolve("ClassInstall32", arch)) p.class_install = read_install("ClassInstall32", arch);
    return p;
  }
};

}  // namespace

std::optional<InfPlatform> parse_platform(std::string_view decoration) {
  if (!starts_with_nocase(decoration, "NT")) return std::nullopt;
  InfPlatform p;
  p.decoration = std::string(decoration);
  std::string_view rest = decoration.substr(2);
  const size_t dot = rest.find('.');
  const std::string arch = ascii_lower(rest.substr(0, dot));
  if (!arch.empty() && arch != "x86" && arch != "amd64" && arch != "arm64" && arch != "ia64" && arch != "arm")
    return std::nullopt;
  p.architecture = arch;
  if (dot != std::string_view::npos) p.os_version = std::string(rest.substr(dot + 1));
  return p;
}

std::optional<uint64_t> parse_number(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    if (text.size() > 16) return std::nullopt;
    for (char c : text) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0) return std::nullopt;
      value = value << 4 | static_cast<uint64_t>(digit);
    }
    return value;
  }
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (UINT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::string_view dirid_name(int32_t dirid) {
  switch (dirid) {
    case -1: return "absolute path";
    case 1: return "the INF's source folder";
    case 10: return "Windows";
    case 11: return "System32";
    case 12: return "System32\\drivers";
    case 13: return "driver store";
    case 17: return "INF";
    case 18: return "Help";
    case 20: return "Fonts";
    case 24: return "root of the system disk";
    case 25: return "shared folder";
    case 30: return "root of the boot disk";
    case 50: return "System";
    case 51: return "spool";
    case 52: return "spool drivers";
    case 53: return "user profile";
    case 54: return "boot partition";
    default: return {};
  }
}

bool InfModel::has_models() const {
  return std::any_of(models.begin(), models.end(), [](const ModelsSection& m) { return !m.devices.empty(); });
}

bool InfModel::only_root_enumerated() const {
  bool any = false;
  for (const ModelsSection& m : models)
    for (const ModelDevice& d : m.devices)
      for (const HardwareId& id : d.ids) {
        if (!id.root_enumerated) return false;
        any = true;
      }
  return any;
}

InfModel read_model(const InfFile& inf, std::string path) {
  InfModel model;
  model.path = std::move(path);
  model.encoding = inf.encoding();
  model.diagnostics = inf.diagnostics();
  Reader(inf, model).read();
  // A section read for several platforms reports its problems once; the list stays bounded.
  auto order = [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column, a.message) < std::tie(b.line, b.column, b.message);
  };
  std::sort(model.diagnostics.begin(), model.diagnostics.end(), order);
  model.diagnostics.erase(std::unique(model.diagnostics.begin(), model.diagnostics.end()), model.diagnostics.end());
  constexpr size_t kMaxDiagnostics = 2000;
  if (model.diagnostics.size() > kMaxDiagnostics) model.diagnostics.resize(kMaxDiagnostics);
  return model;
}

}  // namespace drvsec::inf
