/* Character classes for names, numbers and record fields, in ASCII only: the locale must not
 * change what a name is (isalnum() would let a Latin-1 locale pass bytes such as 0xE9). Pass
 * a char as it is or as an unsigned char: bytes above 0x7f are in no class either way. */
#ifndef GB_API_BASE_CHARS_H
#define GB_API_BASE_CHARS_H

#include <stdbool.h>

static inline bool char_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool char_is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || char_is_digit(c);
}

static inline bool char_is_alnum(int c)
{
	return char_is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static inline bool char_is_lower_hex(int c)
{
	return char_is_digit(c) || (c >= 'a' && c <= 'f');
}

static inline bool char_is_hex(int c)
{
	return char_is_lower_hex(c) || (c >= 'A' && c <= 'F');
}

/* What the name of a swarm object (a config, a service) may hold as it is, and a URL path
 * segment unescaped: letters, digits, '_', '.', '-'. */
static inline bool char_is_name(int c)
{
	return char_is_alnum(c) || c == '_' || c == '.' || c == '-';
}

/* A C0 control or DEL: what a one-line field must not hold. */
static inline bool char_is_ctl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* isspace() of the C locale: ' ', '\t', '\n', '\v', '\f', '\r'. */
static inline bool char_is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

#endif
