/* A block comment
 * spanning lines. */
int x; // a line comment
/**/ int y; /* inline */ int z;
// a comment with "quotes" and 'ticks' and /* an opener
int w;
