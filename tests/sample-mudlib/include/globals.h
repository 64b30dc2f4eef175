// Included at the top of every file by the `global include file` setting.
#ifndef GLOBALS_H
#define GLOBALS_H

#define LOGIN_OB "/clone/login"
#define USER_OB "/clone/user"
#define START_ROOM "/domains/start/square"
#define VOID_ROOM "/domains/start/void"
#define STD_OBJECT "/std/object"
#define STD_ROOM "/std/room"
#define CMD_DIR "/cmds/"

#define TELL(who, msg) tell_object(who, msg + "\n")
#define CAP(s) capitalize(s)

#endif
