// Paths and settings shared by the whole mudlib.
#ifndef MUDLIB_H
#define MUDLIB_H

#define MASTER_OB "/secure/master"
#define LOGIN_OB "/secure/login"
#define PLAYER_OB "/std/player"
#define ROOM_OB "/std/room"
#define ITEM_OB "/std/item"

#define START_ROOM "/domains/start/square"
#define VOID_ROOM "/domains/start/void"

// Saves live in PLAYER_DIR + first letter + "/" + name + ".o".
#define PLAYER_DIR "/data/players/"
#define HELP_DIR "/doc/help/"
#define LOG_DIR "/log/"
#define WELCOME_FILE "/etc/welcome"
#define ADMINS_FILE "/etc/admins"

// Seconds a connection may spend at the login prompts.
#define LOGIN_TIMEOUT 300
// Seconds a link-dead character waits for its player before it quits.
#define LINKDEAD_TIMEOUT 1800
// Wrong passwords allowed before the connection is closed.
#define MAX_PASSWORD_TRIES 3
#define MIN_PASSWORD_LENGTH 6

#endif
