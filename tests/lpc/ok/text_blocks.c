string text = @END
First line.
  Indented "quotes" and \ backslashes stay as they are.
END;

string *lines = @@LINES
one
two
LINES;

string call() {
    return lower_case(@X
Mixed Case
X
    );
}
