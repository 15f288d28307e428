// Reading Pacemaker's view of a node: crm_mon's <nodes><node name= online= unclean=> and the
// fencer's <fence_event target= action= status= completed=> records.
#include "libsan/lvm/fencing.h"

#include <pugixml.hpp>

#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

Result<pugi::xml_document*> Load(pugi::xml_document* doc, std::string_view xml,
                                 const char* program) {
  pugi::xml_parse_result r = doc->load_buffer(xml.data(), xml.size());
  if (!r) {
    return Status::Corruption(std::string(program) + " printed no XML: " + r.description());
  }
  if (!doc->child("pacemaker-result")) {
    return Status::Corruption(std::string(program) + " XML has no <pacemaker-result>");
  }
  return doc;
}

std::string ResultError(const pugi::xml_node& result) {
  pugi::xml_node status = result.child("status");
  std::string text = status.attribute("message").as_string();
  if (pugi::xml_node e = status.child("errors").child("error"))
    text += ": " + std::string(e.text().as_string());
  return Printable(text, 200);  // it ends in an exit reason: one line
}

}  // namespace

Result<NodeStatus> ParseCrmMonNode(std::string_view xml, const std::string& node) {
  pugi::xml_document doc;
  SAN_RETURN_IF_ERROR(Load(&doc, xml, "crm_mon").status());
  pugi::xml_node result = doc.child("pacemaker-result");
  pugi::xml_node nodes = result.child("nodes");
  if (!nodes) return Status::Corruption("crm_mon: " + ResultError(result));
  NodeStatus st;
  for (pugi::xml_node n : nodes.children("node")) {
    if (node != n.attribute("name").as_string()) continue;
    st.known = true;
    st.online = n.attribute("online").as_bool();
    st.unclean = n.attribute("unclean").as_bool();
    st.expected_up = n.attribute("expected_up").as_bool();
  }
  return st;
}

Result<std::string> ParseLastFencing(std::string_view xml, const std::string& node) {
  pugi::xml_document doc;
  SAN_RETURN_IF_ERROR(Load(&doc, xml, "stonith_admin").status());
  pugi::xml_node result = doc.child("pacemaker-result");
  pugi::xml_node list = result.child("list");
  if (!list) return Status::Corruption("stonith_admin: " + ResultError(result));
  std::string last;
  std::string last_time;
  for (pugi::xml_node e : list.children("fence_event")) {
    const std::string action = e.attribute("action").as_string();
    if (node != e.attribute("target").as_string()) continue;
    if (std::string_view(e.attribute("status").as_string()) != "success") continue;
    if (action != "reboot" && action != "off") continue;
    // Timestamps are "YYYY-MM-DD HH:MM:SS..." and so order as text.
    const std::string when = e.attribute("completed").as_string();
    if (!last.empty() && when < last_time) continue;
    last_time = when;
    last = action + " by " + e.attribute("delegate").as_string() + " at " + when;
  }
  return last;
}

FenceVerdict CheckNodeDown(Host& host, const std::string& node) {
  FenceVerdict v;
  Command mon;
  mon.argv = {"crm_mon", "--one-shot", "--output-as=xml"};
  mon.timeout = milliseconds(15'000);
  Result<Output> out = host.Run(mon);
  if (!out.ok()) {
    v.reason = "cannot ask Pacemaker about " + node + ": " + out.status().message();
    return v;
  }
  Result<NodeStatus> st = ParseCrmMonNode(out->out, node);
  if (!st.ok()) {
    // crm_mon reports its own failures as XML (<status message=...><error>...), so prefer what
    // the parser found there over the first line of output.
    std::string why = st.status().message();
    if (out->exit_code != 0 && out->out.find("<pacemaker-result") == std::string::npos) {
      why = out->FirstErrorLine();
    }
    v.reason =
        "cannot ask Pacemaker about " + node + ": " +
        (out->exit_code != 0 ? "crm_mon exited " + std::to_string(out->exit_code) + ": " : "") +
        why;
    return v;
  }
  if (!st->known) {
    v.reason = "node '" + Printable(node) + "' is not a member of this cluster";
  } else if (st->online) {
    v.reason = "node " + node + " is online";
  } else if (st->unclean) {
    v.reason = "node " + node + " is unclean (lost and not fenced yet)";
  } else {
    v.safe = true;
    v.reason = "Pacemaker reports node " + node + " offline and clean";
    Command hist;
    hist.argv = {"stonith_admin", "--history", node, "--output-as=xml"};
    hist.timeout = milliseconds(15'000);
    if (Result<Output> h = host.Run(hist); h.ok()) {
      if (Result<std::string> last = ParseLastFencing(h->out, node); last.ok() && !last->empty()) {
        v.reason += "; last fenced: " + *last;
      }
    }
  }
  return v;
}

}  // namespace san::lvm
