// The run report (SPEC §3), written whole or not at all (temp file, then rename).
#pragma once
#include <string>

#include "core/probe.h"

namespace det {

class Tracer;

std::string run_report_json(Tracer& tr, const HostProbe& host);
// Writes `json` to `path` atomically; false with a reason in *err.
bool write_file_atomic(const std::string& path, const std::string& json, std::string* err);

}  // namespace det
