// The header of a rule's documentation page (docs/rules/<id>.md), rendered from its RuleInfo
// only: `# <id> — <title>` and one metadata block (severity, confidence, guidance items, CWE,
// where it applies, the same check in other tools). The committed pages carry exactly this
// block between two marker comments, followed by the hand-written body; `drvsec rules
// --write-doc-headers DIR` rewrites the blocks, `--check-doc-headers DIR` and rule_docs_test fail
// when one drifts.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>

#include "model/rule_info.h"

namespace drvsec {

inline constexpr std::string_view kDocHeaderBegin =
    "<!-- generated from RuleInfo by `drvsec rules --write-doc-headers docs/rules`: do not edit -->";
inline constexpr std::string_view kDocHeaderEnd = "<!-- end of generated header -->";

// The header block, both marker lines included; ends with a newline. Deterministic: the same
// RuleInfo gives the same bytes.
std::string render_doc_header(const RuleInfo& info);

// A page split at its markers. `marked`: the page starts with the begin-marker line and has an
// end-marker line; `header` then runs through the end-marker line and `body` is the rest, byte
// for byte. Otherwise (no markers, or no end marker) `header` is empty and `body` the whole page.
struct DocPageParts {
  std::string_view header;
  std::string_view body;
  bool marked = false;
};
DocPageParts split_doc_page(std::string_view page);

// The first paragraph of the page's "## What it checks" section, its lines joined by spaces (a
// rule's summary in `drvsec rules --format json`); empty when the page has no such section.
std::string doc_summary(std::string_view page);

// The page as readers see it (`drvsec rules ID`, SARIF help): the marker lines removed.
std::string without_doc_markers(std::string_view page);

struct DocHeaderUpdate {
  int out_of_date = 0;  // registered rules whose page is missing or has a header that differs
  int errors = 0;       // pages left alone: markers missing (not generated, so not overwritten), or no rule owns them
};

// Brings the header of every registered rule's page in `dir` up to date, keeping the body byte
// for byte; creates a missing page with a skeleton body. With `check_only`, writes nothing.
// Reports on `log` (sorted, one line each) every page it changed or would change and every error.
DocHeaderUpdate update_doc_headers(const std::filesystem::path& dir, bool check_only, std::ostream& log);

}  // namespace drvsec
