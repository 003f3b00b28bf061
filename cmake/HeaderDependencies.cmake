# Eigen, spdlog (header-only, with fmt header-only) and nlohmann/json from one folder of headers, for the
# ML-only build on a machine that has a compiler, CMake and a CUDA LibTorch but none of these packages.
foreach(dir eigen3/Eigen spdlog fmt nlohmann)
  if(NOT EXISTS "${JEZERO_HEADER_DEPS}/${dir}")
    message(FATAL_ERROR "JEZERO_HEADER_DEPS=${JEZERO_HEADER_DEPS} has no ${dir}/ (fill it with tools/gpu-check --pack-headers DIR)")
  endif()
endforeach()
add_library(Eigen3::Eigen INTERFACE IMPORTED)
set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${JEZERO_HEADER_DEPS}/eigen3")
add_library(spdlog::spdlog INTERFACE IMPORTED)
set_target_properties(spdlog::spdlog PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${JEZERO_HEADER_DEPS}"
  INTERFACE_COMPILE_DEFINITIONS "SPDLOG_HEADER_ONLY;SPDLOG_FMT_EXTERNAL;FMT_HEADER_ONLY")
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${JEZERO_HEADER_DEPS}")
message(STATUS "Jezero: Eigen, spdlog, fmt and nlohmann/json headers from ${JEZERO_HEADER_DEPS}")
