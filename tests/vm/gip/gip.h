// Found first for <gip.h> by /gip_user.c, whose include path the master sets.
#define GIP 2
