// Building the inventory API's answers: JSON bodies, and errors in the protocol's
// shape {"error":{"code":N,"message":"..."}} with the matching HTTP status.
#pragma once

#include <inventory/store_error.hpp>

#include <herald/gateway/app_routes.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace herald::inventory {

/// A JSON answer. Cost: one serialisation of `body`.
gateway::AppResponse json_response(int status, const boost::json::value& body);
/// A JSON answer whose body is already serialised (a cached response body).
gateway::AppResponse raw_json_response(int status, std::string body);
/// {"error":{"code":status,"message":message}} with that status.
gateway::AppResponse error_response(int status, std::string_view message);
/// The error answer for a store failure (404, 400, 409 or 500).
gateway::AppResponse failure_response(const StoreFailure& failure);

}  // namespace herald::inventory
