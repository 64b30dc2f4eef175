// crypt() and oldcrypt(): crypt(3) hashes and the historic MD5 scheme.
#include "/check.h"

string run() {
  string failures = "";
  string h;

  // Traditional DES: the first two salt characters, eight key characters.
  CHECK(crypt("123", "123") == "12IbR.gJ8wcpc");
  CHECK(crypt("123", "12IbR.gJ8wcpc") == "12IbR.gJ8wcpc");
  CHECK(crypt("deadbeef-wtf", "11-wtf") == crypt("deadbeef", "11"));
  CHECK(crypt("test", "aZ") == "aZGJuE6EXrjEE");

  // A fresh salt is SHA-512, and the hash checks its own password.
  h = crypt("secret", 0);
  CHECK(h[0..2] == "$6$" && sizeof(h) == 3 + 16 + 1 + 86);
  CHECK(crypt("secret", h) == h);
  CHECK(crypt("Secret", h) != h);
  CHECK(crypt("secret", "")[0..2] == "$6$");
  // Known hashes of the schemes a salt can select.
  CHECK(crypt("password", "$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0") == "$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0");
  CHECK(crypt("Hello world!", "$5$saltstring")
        == "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5");
  CHECK(crypt("Hello world!", "$6$saltstring")
        == "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
  // A round count in the setting is kept.
  CHECK(crypt("secret", "$6$rounds=1000$abcdefgh")
        == "$6$rounds=1000$abcdefgh$nhYjN017qxiYztzyUpZtPnUQcnLy62KsunSLHNeLahp2EHPlAKmFFlrjEwSXGo2kgY5hR2.peKEg2VGUqIJJu1");
  CHECK(crypt("secret", "$5$rounds=1000$abcdefgh$xyz")
        == "$5$rounds=1000$abcdefgh$XIppta5rT8zJUu4vAOKQXrwq9uY4Ijlz6VjyOmkx5i4");
  h = crypt("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.");
  CHECK(h == "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
  CHECK(crypt("U*U", h) == h);
  // $2x$ keeps the old sign-extension of bytes above 0x7f; it matches $2a$
  // on ASCII keys only.
  h = crypt("U*U", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.");
  CHECK(h == "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
  CHECK(crypt("£", "$2x$05$/OK.fbVrR/bpIqNJ5ianF.")
        == "$2x$05$/OK.fbVrR/bpIqNJ5ianF.ZWGqVwLKgsYeGeOWNzCYbZCI.oWeH2C");
  CHECK(crypt("£", "$2y$05$/OK.fbVrR/bpIqNJ5ianF.")
        == "$2y$05$/OK.fbVrR/bpIqNJ5ianF.crQZGxQ7hWEf.fNKRjrYcudfgPvGbVK");
  CHECK(crypt("pässwörd✓", "$2x$05$/OK.fbVrR/bpIqNJ5ianF.")
        == "$2x$05$/OK.fbVrR/bpIqNJ5ianF.5R6ID3WgKsUwzTH0beQgnf7qgeSZmN2");
  CHECK(crypt("pässwörd✓", "$2a$05$/OK.fbVrR/bpIqNJ5ianF.")
        == "$2a$05$/OK.fbVrR/bpIqNJ5ianF.CKDa9NiZMLAv8E5qYIMbeyRvd4LuoZS");
  CHECK(catch(crypt("x", "$2x$99$/OK.fbVrR/bpIqNJ5ianF.")));
  // An unknown scheme gets a fresh SHA-512 salt.
  CHECK(crypt("x", "$2$abc")[0..2] == "$6$");

  // oldcrypt: salt and digest as nibbles, joined by '!'.
  CHECK(oldcrypt("123", "123") == "mckfcn`d!glafl`lnam`hikdfaeja`eccckjeinjm");
  h = oldcrypt("secret", "");
  CHECK(sizeof(h) == 41 && h[8] == '!');
  CHECK(oldcrypt("secret", h) == h && oldcrypt("other", h) != h);
  CHECK(oldcrypt("a long password that needs more than one block of digest input", h)
        == oldcrypt("a long password that needs more than one block of digest input", h));
  return failures;
}
