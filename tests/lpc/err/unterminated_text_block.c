string s = @END
//~^ ERROR end of file in a text block
never closed
