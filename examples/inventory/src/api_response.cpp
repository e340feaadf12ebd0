// JSON answers and errors of the inventory API.
#include <inventory/api_response.hpp>

#include <boost/json/serialize.hpp>

namespace herald::inventory {

gateway::AppResponse json_response(int status, const boost::json::value& body) {
  return raw_json_response(status, boost::json::serialize(body));
}

gateway::AppResponse raw_json_response(int status, std::string body) {
  gateway::AppResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

gateway::AppResponse error_response(int status, std::string_view message) {
  return json_response(status, {{"error", {{"code", status}, {"message", message}}}});
}

gateway::AppResponse failure_response(const StoreFailure& failure) {
  return error_response(http_status(failure.code), failure.message);
}

}  // namespace herald::inventory
