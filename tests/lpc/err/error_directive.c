#ifndef CONFIGURED
#error not configured //~ ERROR not configured
#endif
#warn careful //~ WARNING careful
