// The matrix efuns: 4x4 float matrices, angles in degrees, updated in place.
#include "/check.h"

int near(float a, float b) { return a - b < 0.00001 && b - a < 0.00001; }

int same(float *m, float *expect) {
  for (int i = 0; i < 16; i++) if (!near(m[i], expect[i])) return 0;
  return 1;
}

string run() {
  string failures = "";
  float *m = id_matrix();
  float *t;

  CHECK(sizeof(m) == 16 && m[0] == 1.0 && m[5] == 1.0 && m[1] == 0.0 && m[15] == 1.0);
  t = translate(m, 1.0, 2.0, 3.0);
  // The matrix itself changes and is returned.
  CHECK(t == m);
  CHECK(m[12] == 1.0 && m[13] == 2.0 && m[14] == 3.0);
  m = scale(id_matrix(), 2.0, 3.0, 4.0);
  CHECK(m[0] == 2.0 && m[5] == 3.0 && m[10] == 4.0 && m[15] == 1.0);
  // Scaling after translating scales the translation too.
  m = scale(translate(id_matrix(), 1.0, 1.0, 1.0), 2.0, 2.0, 2.0);
  CHECK(m[12] == 2.0 && m[13] == 2.0 && m[14] == 2.0);
  CHECK(same(rotate_z(id_matrix(), 90.0),
             ({ 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 })));
  CHECK(same(rotate_x(id_matrix(), 90.0),
             ({ 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0 })));
  CHECK(same(rotate_y(id_matrix(), 90.0),
             ({ 0.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0 })));
  // Looking from the origin down +z with y up.
  CHECK(same(lookat_rotate2(id_matrix(), 0.0, 0.0, 0.0, 0.0, 0.0, 5.0),
             ({ 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0 })));
  m = lookat_rotate(id_matrix(), 0.0, 0.0, 5.0);
  CHECK(near(m[10], 1.0) && near(m[15], 1.0));
  CHECK(catch(translate(({ 1.0 }), 1.0, 1.0, 1.0)));
  CHECK(catch(rotate_x(allocate(16), 1.0)));
  return failures;
}
