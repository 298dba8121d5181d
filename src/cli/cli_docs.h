// Shell completion scripts and the man page, generated from the CLI11 app itself (its
// subcommands, options, descriptions and value names) so that they cannot drift from what the
// parser accepts: `drvsec completion bash|zsh`, `drvsec man`.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace drvsec {

// Values an option or positional argument takes, for completion and the man page: the list an
// IsMember check was built from, or the rule ids of the registry for --rule. Options absent from
// the map complete as file names (as folders when their type name is DIR), or not at all when
// their type name is not FILE, DIR or PATH.
using OptionChoices = std::map<const CLI::Option*, std::vector<std::string>>;

// A section of the man page after the commands (EXIT STATUS, ENVIRONMENT, ...): a title and
// paragraphs, each either plain text or "TERM\tdefinition" for a tagged paragraph.
struct ManSection {
  std::string title;
  std::vector<std::string> paragraphs;
};

void write_bash_completion(const CLI::App& app, const OptionChoices& choices, std::ostream& out);
void write_zsh_completion(const CLI::App& app, const OptionChoices& choices, std::ostream& out);
// roff (man(7) macros) for section 1. No date: the output is deterministic.
void write_man_page(const CLI::App& app, const OptionChoices& choices, const std::string& version,
                    const std::vector<ManSection>& extra_sections, std::ostream& out);

}  // namespace drvsec
