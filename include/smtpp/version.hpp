/**
 * @file version.hpp
 * @brief The library version: the single source of truth, read by CMake too.
 */
#ifndef SMTPP_VERSION_HPP
#define SMTPP_VERSION_HPP

#define SMTPP_VERSION_MAJOR 0
#define SMTPP_VERSION_MINOR 1
#define SMTPP_VERSION_PATCH 0
#define SMTPP_VERSION_STRING "0.1.0"

#endif
