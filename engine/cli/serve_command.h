// `sluice serve`: one daemon on one loop that serves the AWS Step Functions API (JSON 1.0
// protocol, engine/server/api.h) over HTTP (engine/server/http_server.h), sensors over HTTP and
// a health check, and runs every execution durably in the database (docs/server.md).
//
// At start it applies --pipelines DIR (like `sluice pipeline apply DIR`), loads --alerts FILE and
// resumes the database's unfinished executions. SIGHUP applies --pipelines DIR again (an invalid
// directory is logged and changes nothing). SIGTERM or SIGINT: it stops accepting connections,
// answers what is in flight, commits what is pending, gives queued alerts a few seconds, and
// exits 0; the executions still running resume at the next start.
//
// Exit codes: 0 after a signal; 1 when the database fails while serving; 2 bad usage (a bad
// --listen, a non-loopback address without --token-file or --insecure, an unreadable token
// file, an invalid pipeline directory or alerts file, a database that cannot be opened or
// resumed, an address in use).
#pragma once

#include <cstdint>
#include <string>

struct ServeArgs {
  std::string db = "sluice.db";
  std::string listen = "127.0.0.1:8083";
  std::string token_file;  // clients must send its content as a bearer token
  bool insecure = false;   // allow a non-loopback --listen without a token
  std::string clock = "real";
  std::string durability = "full";
  int64_t max_body_bytes = 1024 * 1024 + 64 * 1024;
  std::string ready_file;  // written with the bound address once listening (for scripts)
  std::string pipelines;   // a directory of pipeline configs, applied at start and on SIGHUP
  std::string alerts;      // the alerts file (engine/alerts.h)
};

int Serve(const ServeArgs& args);
