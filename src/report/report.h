// Report writers: they render a ScanResult and never analyze.
#pragma once

#include <iosfwd>
#include <string>

#include "engine/scan.h"

namespace drvsec {

struct ReportOptions {
  bool color = false;  // text only: ANSI colours (decided by the CLI: TTY and no NO_COLOR)
};

void write_text_report(const ScanResult& result, std::ostream& out, const ReportOptions& options);
void write_json_report(const ScanResult& result, std::ostream& out);
void write_sarif_report(const ScanResult& result, std::ostream& out);

// "0x1A2B" — the one hex spelling used by every report.
std::string hex(uint64_t value);

}  // namespace drvsec
