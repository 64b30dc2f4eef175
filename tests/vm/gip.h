// Found by default for <gip.h>.
#define GIP 1
