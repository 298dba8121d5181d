#include "report/rules_json.h"

#include "report/json_writer.h"
#include "report/report.h"
#include "rules/rule_docs.h"

namespace drvsec {

void write_rules_json(const std::vector<const Rule*>& rules, std::ostream& out) {
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.member("schema_version", 1);
  w.key("tool").begin_object().member("name", "drvsec").member("version", DRVSEC_VERSION).end_object();
  w.key("rules").begin_array();
  for (const Rule* rule : rules) {
    const RuleInfo& m = rule->info();
    w.begin_object();
    w.member("id", m.id);
    w.member("title", m.title);
    w.member("summary", doc_summary(rule_documentation(m.id)));
    w.member("severity", to_string(m.severity));
    w.member("confidence", to_string(m.confidence));
    if (!m.levels.empty()) w.member("levels", m.levels);
    w.member("guidance", m.checklist);
    if (!m.no_checklist_reason.empty()) w.member("no_guidance_reason", m.no_checklist_reason);
    w.member("cwe", m.cwe);
    if (!m.no_cwe_reason.empty()) w.member("no_cwe_reason", m.no_cwe_reason);
    w.member("applies_to", m.applies_to);
    w.member("related", m.related);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out << text << '\n';
}

}  // namespace drvsec
