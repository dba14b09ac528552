/**
 * @file smtpp.hpp
 * @brief The whole library: SMTP / ESMTP / LMTP parsing without I/O, allocation or
 *        exceptions.
 *
 * smtpp turns bytes into meaning and meaning into replies; the host moves the bytes.
 * No function in this library allocates memory, throws, performs I/O or keeps global
 * state. Results are views into the caller's bytes or into storage the caller owns.
 */
#ifndef SMTPP_SMTPP_HPP
#define SMTPP_SMTPP_HPP

#include "version.hpp"
#include "core.hpp"
#include "command.hpp"
#include "line.hpp"
#include "data.hpp"
#include "encode.hpp"
#include "reply.hpp"
#include "ehlo.hpp"
#include "catalog.hpp"
#include "session.hpp"
#include "client.hpp"

#endif
