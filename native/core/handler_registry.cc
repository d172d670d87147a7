#include <map>
#include <string>

#include "core/handler.h"

namespace det {

static std::map<std::string, Handler>& registry() {
  static std::map<std::string, Handler> r;
  return r;
}

bool register_handler(const char* name, Handler h) {
  registry()[name] = h;
  return true;
}

Handler find_handler(const char* name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second;
}

}  // namespace det
