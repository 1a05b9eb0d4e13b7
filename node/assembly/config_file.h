// Reading the configuration file: the daemon's and the CLI's one way to get a validated Config.
//   absl::StatusOr<Config> config = load_config_file("/etc/garage.toml");
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "node/config.h"

namespace garage {

// NotFound if the file cannot be read; InvalidArgument, naming the file, if it does not parse
// or validate.
absl::StatusOr<Config> load_config_file(const std::string& path);

}  // namespace garage
