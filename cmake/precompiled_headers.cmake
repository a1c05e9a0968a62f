# FUE_PRECOMPILED_HEADERS: the third-party headers that most files include (nlohmann/json in 45
# of the demo's 98 files, toml++ in 39, cpp-httplib in 33) are parsed once a library instead of
# once a file. scripts/demo and the image's build turn it on (a cold build: CONTRIBUTING.md,
# "Time to first metric"); the default build leaves it off, so a file that forgets an #include
# still fails there.
if(NOT FUE_PRECOMPILED_HEADERS)
  return()
endif()

set(FUE_PCH_STD <algorithm> <chrono> <functional> <map> <memory> <mutex> <optional> <string>
                <string_view> <vector>)
target_precompile_headers(fue_core PRIVATE <nlohmann/json.hpp> <httplib.h> <toml++/toml.h>
                          ${FUE_PCH_STD})
# Same flags as fue_core (everything comes through its PUBLIC usage requirements): one header.
target_precompile_headers(fue_scrapers REUSE_FROM fue_core)
target_precompile_headers(fleet-usage-exporter REUSE_FROM fue_core)
# config_summary.cpp calls its own quoted() on std::strings; with <iomanip> in scope (httplib.h
# includes it) argument-dependent lookup picks std::quoted instead. Without the precompiled
# header until that helper is renamed.
set_source_files_properties(exporter/config/config_summary.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
if(TARGET vendor_sim_lib)
  target_precompile_headers(vendor_sim_lib PRIVATE <nlohmann/json.hpp> <httplib.h> ${FUE_PCH_STD})
endif()

# ccache caches a compile that uses a precompiled header only with this sloppiness (ccache
# manual, "Precompiled headers"); without it every such compile misses.
foreach(target fue_core fue_scrapers fleet-usage-exporter vendor_sim_lib)
  if(TARGET ${target})
    get_target_property(launcher ${target} CXX_COMPILER_LAUNCHER)
    if(launcher MATCHES "ccache")
      set_target_properties(${target} PROPERTIES CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND};-E;env;CCACHE_SLOPPINESS=pch_defines,time_macros;${launcher}")
    endif()
  endif()
endforeach()
