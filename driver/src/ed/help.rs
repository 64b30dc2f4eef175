//! The editor's help: `h` alone gives the command summary, a page at a
//! time; `h` followed by a command letter explains that command.

/// What `h` shows.
pub enum Help {
    Text(String),
    /// The summary, shown a screen at a time.
    Paged(String),
    None,
}

/// Help on `topic` (the character after `h`; `next` is the one after it,
/// so `hset` can be told from `hs`). `screen` is the session's scroll size.
pub fn topic(topic: char, next: char, screen: usize, restricted: bool) -> Help {
    let z = screen.saturating_sub(1);
    let big = screen + 4;
    let text = match topic {
        '\n' => return Help::Paged(summary(screen, restricted)),
        'a' => "a: enter text after the current line (or the line addressed).\n\
                End the text with a line holding a single '.'.\n"
            .to_string(),
        'A' => "A: like 'a', with autoindent the other way round from the setting.\n".to_string(),
        'o' => "o: the same as 'a'.\n".to_string(),
        'i' => "i: enter text before the current line (or the line addressed).\n\
                End the text with a line holding a single '.'.\n"
            .to_string(),
        'O' => "O: the same as 'i'.\n".to_string(),
        'c' => "c: replace the current line (or the range addressed) with new text,\n\
                entered as for 'a'.\n"
            .to_string(),
        'd' => "d: delete the current line, or the range addressed.\n".to_string(),
        'e' if !restricted => "e FILE: drop the buffer and edit FILE instead. Refused while the\n\
                buffer has unsaved changes; 'E' does it anyway.\n"
            .to_string(),
        'E' if !restricted => {
            "E FILE: like 'e', even when the buffer has unsaved changes.\n".to_string()
        }
        'f' if !restricted => "f: show the file name. f FILE: change the name the buffer is\n\
                saved under.\n"
            .to_string(),
        'g' => "g/RE/CMD: run CMD on every line matching RE (in the range addressed,\n\
                all lines by default). g/RE/p shows them.\n"
            .to_string(),
        'v' => "v/RE/CMD: like 'g', on the lines that do not match RE.\n".to_string(),
        'h' | 'H' => "h: the list of commands. hC: help on command C.\n".to_string(),
        'I' => "I: indent the whole buffer as LPC code, one shift width per level.\n\
                It stops at an unterminated string and reports the line.\n"
            .to_string(),
        'j' => "j: join the addressed lines into one (by default the current line\n\
                and the next).\n"
            .to_string(),
        'k' => "kX: mark the addressed line with the letter X (a to z); 'X then\n\
                addresses it.\n"
            .to_string(),
        'l' => "l: show lines with control characters made visible and a '$' at\n\
                the end of each.\n"
            .to_string(),
        'm' => "mADDR: move the addressed lines after line ADDR (0 is the top).\n".to_string(),
        't' => "tADDR: copy the addressed lines after line ADDR (0 is the top).\n".to_string(),
        'n' => "n: turn line numbers on or off.\n".to_string(),
        'p' | 'P' => "p: show the current line or the range addressed.\n".to_string(),
        'q' => "q: leave the editor. Refused while there are unsaved changes.\n".to_string(),
        'Q' => "Q: leave the editor, dropping unsaved changes.\n".to_string(),
        'r' if !restricted => "r FILE: read FILE in after the addressed line (the last line by\n\
                default).\n"
            .to_string(),
        's' if next == 'e' => "set: show the settings. set NAME: turn a setting on; set noNAME:\n\
                turn it off. set shiftwidth N: the indent step (0 to 9).\n\
                set save: keep the settings for later sessions.\n\
                Settings: number (line numbers), list (show like 'l'), print (show\n\
                a line after a substitution), eightbit (keep 8-bit characters),\n\
                autoindent (text entry keeps the indent; ^D or ^K steps back),\n\
                excompatible (\\( \\) group in patterns instead of ( )), dprint\n\
                (show the current line after 'd'), verbose (report file reads).\n"
            .to_string(),
        's' => "s/RE/TEXT/[g][p][N]: replace what RE matches in the addressed lines\n\
                with TEXT. & is the match, \\1 to \\9 its groups, \\n a line break.\n\
                g replaces every match, N only the Nth, p shows the line.\n"
            .to_string(),
        'w' | 'W' => "w [FILE]: write the buffer (or the range addressed) to its file or\n\
                FILE. W appends instead of replacing.\n"
            .to_string(),
        'u' => "u: undo the last change to the buffer; u again redoes it.\n".to_string(),
        'x' => "x: write the buffer to its file and leave the editor.\n".to_string(),
        'z' => format!(
            "z: show {z} lines from the current line; z. shows them around it,\n\
             z- before it; each further + or - goes one more screen.\n"
        ),
        'Z' => format!("Z: like 'z' with {big} lines.\n"),
        '/' => "/RE/: the next line matching RE, searching forward and wrapping.\n".to_string(),
        '?' => "?RE?: the previous line matching RE, searching backward.\n".to_string(),
        '=' => "=: show the number of the addressed line.\n".to_string(),
        _ => return Help::None,
    };
    Help::Text(text)
}

fn summary(screen: usize, restricted: bool) -> String {
    let mut text = String::from(
        "Editor commands ([range] before a command picks lines: 1,5p  .,$d  /re/p)\n\
         /RE/   find the next line matching RE\n\
         ?RE?   find the previous line matching RE\n\
         =      show the line number\n\
         a      add text after the line (A: opposite autoindent, o: same as a)\n\
         c      change lines: replace them with new text\n\
         d      delete lines\n",
    );
    if !restricted {
        text.push_str(
            "e      edit another file (E: even with unsaved changes)\n\
             f      show or set the file name\n",
        );
    }
    text.push_str(
        "g      run a command on lines matching a pattern\n\
         h      help (hC: help on command C)\n\
         i      insert text before the line (O: same as i)\n\
         I      indent the whole buffer as LPC code\n\
         j      join lines\n\
         k      mark a line with a letter ('x addresses it)\n\
         l      show lines with control characters visible\n\
         m      move lines\n\
         n      turn line numbers on or off\n\
         p      show lines\n\
         q      quit (Q: quit dropping unsaved changes)\n",
    );
    if !restricted {
        text.push_str("r      read a file in\n");
    }
    text.push_str(
        "s      substitute text\n\
         set    show, change or save the settings\n\
         t      copy lines\n\
         u      undo the last change\n\
         v      run a command on lines not matching a pattern\n",
    );
    if !restricted {
        text.push_str("w      write the buffer (W: append)\n");
    }
    text.push_str(&format!(
        "x      save and quit\n\
         z      show {} lines (z. around, z- before, z++ further)\n\
         Z      show {} lines\n",
        screen.saturating_sub(1),
        screen + 4
    ));
    text
}
