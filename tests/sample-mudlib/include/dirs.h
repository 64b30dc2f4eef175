// Opposite directions, for rooms that link both ways.
#define OPPOSITE ([ \
    "north": "south", "south": "north", \
    "east": "west", "west": "east", \
    "up": "down", "down": "up", \
])
