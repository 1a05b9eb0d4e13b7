#include "node/assembly/config_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace garage {

absl::StatusOr<Config> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Config> config = parse_config(text.str());
  if (!config.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  return config;
}

}  // namespace garage
