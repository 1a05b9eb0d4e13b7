// The HTTP exchange the S3 handlers serve: node/http/message.h, named here in the s3 namespace
// where the handlers use it.
#pragma once

#include "node/http/message.h"

namespace garage::s3 {

using http::BodySource;
using http::BodyStream;
using http::Headers;
using http::HttpRequest;
using http::HttpResponse;
using http::read_all;
using http::redacted_target;
using http::StringBody;

}  // namespace garage::s3
