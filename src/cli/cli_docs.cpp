#include "cli/cli_docs.h"

#include <algorithm>

#include <fmt/format.h>

namespace drvsec {

namespace {

// How a value completes.
enum class Completes { nothing, files, folders, choices };

// One option or positional argument, as the generators need it.
struct Arg {
  std::vector<std::string> flags;  // "-o", "--output"; empty for a positional argument
  std::string name;                // positional name, or the value's type name ("FILE")
  std::string description;
  bool takes_value = false;
  bool repeatable = false;
  bool required = false;
  std::vector<std::string> choices;
  Completes completes = Completes::nothing;
};

// One command: "drvsec", "drvsec scan", "drvsec ioctl decode".
struct Command {
  std::string path;
  std::string description;
  std::vector<Arg> options;
  std::vector<Arg> positionals;
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
  bool requires_subcommand = false;
};

Arg describe_option(const CLI::Option& opt, const OptionChoices& choices) {
  Arg a;
  for (const std::string& s : opt.get_snames()) a.flags.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) a.flags.push_back("--" + l);
  a.description = opt.get_description();
  a.takes_value = opt.get_items_expected_max() > 0;
  a.repeatable = opt.get_expected_max() > 1 || opt.get_items_expected_max() > 1;
  a.required = opt.get_required();
  const std::string type = opt.get_type_name();
  a.name = a.flags.empty() ? opt.get_name(true) : type.substr(0, type.find(':'));
  const std::string kind = type.substr(0, type.find(':'));
  if (auto it = choices.find(&opt); it != choices.end()) {
    a.choices = it->second;
    a.completes = Completes::choices;
  } else if (kind == "DIR") {
    a.completes = Completes::folders;
  } else if (kind == "FILE" || kind == "PATH") {
    a.completes = Completes::files;
  }
  return a;
}

void describe(const CLI::App& app, const std::string& path, const OptionChoices& choices, std::vector<Command>& out) {
  Command c;
  c.path = path;
  c.description = app.get_description();
  c.requires_subcommand = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    Arg a = describe_option(*opt, choices);
    (a.flags.empty() ? c.positionals : c.options).push_back(std::move(a));
  }
  const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subs) c.subcommands.emplace_back(sub->get_name(), sub->get_description());
  out.push_back(std::move(c));
  for (const CLI::App* sub : subs) describe(*sub, path + " " + sub->get_name(), choices, out);
}

std::vector<Command> describe(const CLI::App& app, const OptionChoices& choices) {
  std::vector<Command> out;
  describe(app, app.get_name(), choices, out);
  return out;
}

// A word in single quotes for bash and zsh.
std::string sq(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += "'\\''";
    else if (ch == '\n') out += ' ';
    else out += ch;
  }
  return out + "'";
}

std::string joined(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
  return out;
}

// `case "$cmd|$w"` patterns shared by both shells: descending into subcommands, and skipping the
// word after an option that takes a value. `open`: "(" in zsh's case syntax, "" in bash's.
void write_walk_cases(const std::vector<Command>& commands, std::string_view open, std::ostream& out) {
  for (const Command& c : commands)
    for (const auto& [name, description] : c.subcommands)
      out << fmt::format("      {}{}) cmd={}; npos=0; continue ;;\n", open, sq(c.path + "|" + name), sq(c.path + " " + name));
  std::vector<std::string> valued;
  for (const Command& c : commands)
    for (const Arg& a : c.options)
      if (a.takes_value)
        for (const std::string& f : a.flags) valued.push_back(sq(c.path + "|" + f));
  if (!valued.empty()) out << fmt::format("      {}{}) skip=1; continue ;;\n", open, joined(valued, "|"));
}

// Patterns of `case "$cmd|$prev"` for the options whose values complete the same way.
struct ValueCase {
  std::vector<std::string> patterns;
  const Arg* arg;
};
std::vector<ValueCase> value_cases(const std::vector<Command>& commands) {
  std::vector<ValueCase> cases;
  for (const Command& c : commands)
    for (const Arg& a : c.options)
      if (a.takes_value) {
        ValueCase v{{}, &a};
        for (const std::string& f : a.flags) v.patterns.push_back(sq(c.path + "|" + f));
        cases.push_back(std::move(v));
      }
  return cases;
}

// For each positional argument: the `case $npos` pattern it answers ("0", "1", or "*" for a
// repeatable last one).
std::vector<std::pair<std::string, const Arg*>> positional_cases(const Command& c) {
  std::vector<std::pair<std::string, const Arg*>> out;
  for (size_t i = 0; i < c.positionals.size(); ++i) {
    const Arg& a = c.positionals[i];
    if (a.repeatable) {
      out.emplace_back("*", &a);
      break;
    }
    out.emplace_back(std::to_string(i), &a);
  }
  return out;
}

std::string bash_reply(const Arg& a) {
  switch (a.completes) {
    case Completes::choices: return fmt::format("COMPREPLY=($(compgen -W {} -- \"$cur\"))", sq(joined(a.choices)));
    case Completes::files: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))";
    case Completes::folders: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))";
    case Completes::nothing: break;
  }
  return "COMPREPLY=()";
}

std::string zsh_reply(const Arg& a) {
  switch (a.completes) {
    case Completes::choices: {
      std::vector<std::string> words;
      for (const std::string& w : a.choices) words.push_back(sq(w));
      return "compadd -- " + joined(words);
    }
    case Completes::files: return "_files";
    case Completes::folders: return "_files -/";
    case Completes::nothing: break;
  }
  return "_message " + sq(a.name.empty() ? "value" : a.name);
}

// "name:description" for _describe, the colons of the name escaped.
std::string zsh_item(const std::string& name, const std::string& description) {
  std::string escaped;
  for (char ch : name) escaped += ch == ':' ? std::string("\\:") : std::string(1, ch);
  return sq(escaped + ":" + description);
}

// roff: backslashes, and a leading dot or quote that would start a request.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char ch : text) {
    if (line_start && (ch == '.' || ch == '\'')) out += "\\&";
    if (ch == '\\') out += "\\e";
    else out += ch;
    line_start = ch == '\n';
  }
  return out;
}

// Option names and the like: hyphens as \- (the minus sign, which copies and searches as '-').
std::string roff_name(std::string_view text) {
  std::string out;
  for (char ch : roff(text)) {
    if (ch == '-') out += "\\-";
    else out += ch;
  }
  return out;
}

std::string man_value(const Arg& a) {
  if (!a.choices.empty() && a.choices.size() <= 6) return roff_name(joined(a.choices, "|"));
  return "\\fI" + roff_name(a.name) + "\\fR";
}

bool is_help(const Arg& a) { return std::find(a.flags.begin(), a.flags.end(), "--help") != a.flags.end(); }

std::string man_usage(const Command& c) {
  std::string s = "\\fB" + roff_name(c.path) + "\\fR";
  if (!c.subcommands.empty()) s += c.requires_subcommand ? " \\fIcommand\\fR" : " [\\fIcommand\\fR]";
  if (std::any_of(c.options.begin(), c.options.end(), [](const Arg& a) { return !is_help(a); })) s += " [\\fIoptions\\fR]";
  for (const Arg& p : c.positionals) {
    std::string one = "\\fI" + roff_name(p.name) + "\\fR" + (p.repeatable ? "..." : "");
    s += " " + (p.required ? one : "[" + one + "]");
  }
  return s;
}

}  // namespace

void write_bash_completion(const CLI::App& app, const OptionChoices& choices, std::ostream& out) {
  const std::vector<Command> commands = describe(app, choices);
  const std::string name = app.get_name();
  out << "# bash completion for " << name << ", generated by `" << name << " completion bash`.\n"
      << "# Load it with: source <(" << name << " completion bash)\n"
      << "_" << name << "() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  local cmd=" << sq(name) << " w i skip=0 npos=0\n"
      << "  COMPREPLY=()\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    w=\"${COMP_WORDS[i]}\"\n"
      << "    if ((skip)); then skip=0; continue; fi\n"
      << "    case \"$cmd|$w\" in\n";
  write_walk_cases(commands, "", out);
  out << "    esac\n"
      << "    [[ $w == -* ]] || ((npos++))\n"
      << "  done\n"
      << "  case \"$cmd|$prev\" in\n";
  for (const ValueCase& v : value_cases(commands))
    out << fmt::format("    {}) {}; return ;;\n", joined(v.patterns, "|"), bash_reply(*v.arg));
  out << "  esac\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    case \"$cmd\" in\n";
  for (const Command& c : commands) {
    std::vector<std::string> flags;
    for (const Arg& a : c.options) flags.insert(flags.end(), a.flags.begin(), a.flags.end());
    if (!flags.empty()) out << fmt::format("      {}) COMPREPLY=($(compgen -W {} -- \"$cur\")) ;;\n", sq(c.path), sq(joined(flags)));
  }
  out << "    esac\n"
      << "    return\n"
      << "  fi\n"
      << "  case \"$cmd\" in\n";
  for (const Command& c : commands) {
    if (!c.subcommands.empty()) {
      std::vector<std::string> names;
      for (const auto& s : c.subcommands) names.push_back(s.first);
      out << fmt::format("    {}) COMPREPLY=($(compgen -W {} -- \"$cur\")) ;;\n", sq(c.path), sq(joined(names)));
    } else if (!c.positionals.empty()) {
      out << fmt::format("    {})\n      case $npos in\n", sq(c.path));
      for (const auto& [pattern, arg] : positional_cases(c)) out << fmt::format("        {}) {} ;;\n", pattern, bash_reply(*arg));
      out << "      esac ;;\n";
    }
  }
  out << "  esac\n"
      << "}\n"
      << "complete -F _" << name << " " << name << '\n';
}

void write_zsh_completion(const CLI::App& app, const OptionChoices& choices, std::ostream& out) {
  const std::vector<Command> commands = describe(app, choices);
  const std::string name = app.get_name();
  out << "#compdef " << name << '\n'
      << "# zsh completion for " << name << ", generated by `" << name << " completion zsh`.\n"
      << "# Save it as _" << name << " in a folder of $fpath, or load it with: source <(" << name
      << " completion zsh)\n"
      << "_" << name << "() {\n"
      << "  local cmd=" << sq(name) << " w cur=\"${words[CURRENT]}\" prev=\"${words[CURRENT-1]}\"\n"
      << "  local -a items\n"
      << "  integer i skip=0 npos=0\n"
      << "  for (( i = 2; i < CURRENT; i++ )); do\n"
      << "    w=\"${words[i]}\"\n"
      << "    if (( skip )); then skip=0; continue; fi\n"
      << "    case \"$cmd|$w\" in\n";
  write_walk_cases(commands, "(", out);
  out << "    esac\n"
      << "    [[ $w == -* ]] || (( npos++ ))\n"
      << "  done\n"
      << "  case \"$cmd|$prev\" in\n";
  for (const ValueCase& v : value_cases(commands))
    out << fmt::format("    ({}) {}; return ;;\n", joined(v.patterns, "|"), zsh_reply(*v.arg));
  out << "  esac\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    case \"$cmd\" in\n";
  for (const Command& c : commands) {
    std::vector<std::string> items;
    for (const Arg& a : c.options)
      for (const std::string& f : a.flags) items.push_back(zsh_item(f, a.description));
    if (!items.empty()) out << fmt::format("      ({}) items=({}) ;;\n", sq(c.path), joined(items));
  }
  out << "    esac\n"
      << "    _describe -t options option items\n"
      << "    return\n"
      << "  fi\n"
      << "  case \"$cmd\" in\n";
  for (const Command& c : commands) {
    if (!c.subcommands.empty()) {
      std::vector<std::string> items;
      for (const auto& [sub, description] : c.subcommands) items.push_back(zsh_item(sub, description));
      out << fmt::format("    ({}) items=({}); _describe -t commands command items ;;\n", sq(c.path), joined(items));
    } else if (!c.positionals.empty()) {
      out << fmt::format("    ({})\n      case $npos in\n", sq(c.path));
      for (const auto& [pattern, arg] : positional_cases(c))
        out << fmt::format("        ({}) {} ;;\n", pattern, zsh_reply(*arg));
      out << "      esac ;;\n";
    }
  }
  out << "  esac\n"
      << "}\n"
      << "if [[ ${funcstack[1]} == _" << name << " ]]; then _" << name << " \"$@\"; else compdef _" << name << " "
      << name << "; fi\n";
}

void write_man_page(const CLI::App& app, const OptionChoices& choices, const std::string& version,
                    const std::vector<ManSection>& extra_sections, std::ostream& out) {
  const std::vector<Command> commands = describe(app, choices);
  const std::string name = app.get_name();
  std::string summary = app.get_description();
  if (summary.starts_with(name + ": ")) summary.erase(0, name.size() + 2);
  std::string upper;
  for (char ch : name) upper += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);

  out << ".\\\" Generated by `" << roff(name) << " man` from the command line's own definition: do not edit.\n";
  out << fmt::format(".TH {} 1 \"\" \"{}\" \"User Commands\"\n", upper, roff(name + " " + version));
  out << ".SH NAME\n" << roff_name(name) << " \\- " << roff(summary) << '\n';
  out << ".SH SYNOPSIS\n";
  bool first = true;
  for (const Command& c : commands) {
    if (!c.subcommands.empty() && c.requires_subcommand && c.path != name) continue;  // its subcommands are listed
    if (!first) out << ".br\n";
    first = false;
    out << man_usage(c) << '\n';
  }
  out << ".SH DESCRIPTION\n" << roff(summary) << ".\n";
  out << ".PP\nEach command is described below with its options; every command also takes \\fB\\-h\\fR, "
         "\\fB\\-\\-help\\fR, and \\fB"
      << roff_name(name) << "\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR prints the same.\n";
  out << ".SH COMMANDS\n";
  for (const Command& c : commands) {
    const bool root = c.path == name;
    if (root) continue;
    out << ".SS \"" << roff_name(c.path) << "\"\n";
    out << roff(c.description) << ".\n";
    out << ".PP\n" << man_usage(c) << '\n';
    if (!c.subcommands.empty()) {
      std::vector<std::string> subs;
      for (const auto& s : c.subcommands) subs.push_back("\\fB" + roff_name(c.path + " " + s.first) + "\\fR");
      out << ".PP\nCommands: " << joined(subs, ", ") << ".\n";
    }
    for (const Arg& p : c.positionals) {
      out << ".TP\n\\fI" << roff_name(p.name) << "\\fR" << (p.repeatable ? "..." : "") << '\n';
      out << roff(p.description);
      // The values, unless the description already names them.
      if (!p.choices.empty() && p.choices.size() <= 12 && p.description.find(p.choices.front()) == std::string::npos)
        out << " (" << roff_name(joined(p.choices, ", ")) << ")";
      out << '\n';
    }
    for (const Arg& a : c.options) {
      if (is_help(a)) continue;  // every command has it: said once, under OPTIONS
      std::vector<std::string> names;
      for (const std::string& f : a.flags) names.push_back("\\fB" + roff_name(f) + "\\fR");
      out << ".TP\n" << joined(names, ", ") << (a.takes_value ? " " + man_value(a) : "") << '\n';
      out << roff(a.description);
      if (a.repeatable && a.description.find("repeatable") == std::string::npos) out << " (repeatable)";
      out << '\n';
    }
  }
  for (const Command& c : commands)
    if (c.path == name && !c.options.empty()) {
      out << ".SH OPTIONS\n";
      for (const Arg& a : c.options) {
        std::vector<std::string> names;
        for (const std::string& f : a.flags) names.push_back("\\fB" + roff_name(f) + "\\fR");
        out << ".TP\n" << joined(names, ", ") << (a.takes_value ? " " + man_value(a) : "") << '\n'
            << roff(a.description) << '\n';
      }
    }
  for (const ManSection& s : extra_sections) {
    std::string title;
    for (char ch : s.title) title += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    out << ".SH " << roff(title) << '\n';
    for (const std::string& p : s.paragraphs) {
      if (const size_t tab = p.find('\t'); tab != std::string::npos)
        out << ".TP\n\\fB" << roff_name(p.substr(0, tab)) << "\\fR\n" << roff(p.substr(tab + 1)) << '\n';
      else
        out << ".PP\n" << roff(p) << '\n';
    }
  }
}

}  // namespace drvsec
