/**
 * @file version.hpp
 * @brief The library version: the single source of truth, read by CMake too.
 */
#ifndef SMTPP_VERSION_HPP
#define SMTPP_VERSION_HPP

#define SMTPP_VERSION_MAJOR 0         ///< major version: incompatible API changes
#define SMTPP_VERSION_MINOR 1         ///< minor version: additions (before 1.0, any change)
#define SMTPP_VERSION_PATCH 0         ///< patch version: fixes
#define SMTPP_VERSION_STRING "0.1.0"  ///< "major.minor.patch"

#endif
