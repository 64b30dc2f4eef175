;;; lpc-mode.el --- LPC major mode with lpc-lsp through eglot  -*- lexical-binding: t; -*-

;; Put this file on your load-path and add (require 'lpc-mode) to your init file.
;; Needs Emacs 29 (eglot is built in) or eglot from ELPA.

;;; Commentary:

;; `lpc-mode' derives from `c-mode' for indentation and highlighting, and adds the
;; LPC keywords.  `.lpc' and `.h' files open in it, and `.c' files inside a mudlib
;; (a directory tree with an lpc-config.json or an etc/config.* above the file).

;;; Code:

(require 'cc-mode)
(require 'eglot)

(defgroup lpc nil "LPC, the MUD language." :group 'languages)

(defcustom lpc-lsp-command '("lpc-lsp")
  "Command line that starts the LPC language server."
  :type '(repeat string))

(defcustom lpc-include-dirs nil
  "Extra include directories (mudlib paths such as \"/include\") for lpc-lsp."
  :type '(repeat string))

(defvar lpc-font-lock-keywords
  `((,(regexp-opt '("inherit" "foreach" "in" "catch" "time_expression" "new" "efun"
                    "sscanf" "parse_command")
                  'symbols)
     . font-lock-keyword-face)
    (,(regexp-opt '("object" "mapping" "mixed" "string" "function" "buffer" "class"
                    "nosave" "nomask" "varargs" "private" "protected" "public" "ref")
                  'symbols)
     . font-lock-type-face)
    ("\\$[0-9]+" . font-lock-variable-name-face))
  "LPC additions to C highlighting.")

;;;###autoload
(define-derived-mode lpc-mode c-mode "LPC"
  "Major mode for LPC files."
  (font-lock-add-keywords nil lpc-font-lock-keywords))

(defun lpc--mudlib-root (file)
  "The directory above FILE that holds lpc-config.json or etc/config.*, or nil."
  (locate-dominating-file
   file
   (lambda (dir)
     (or (file-exists-p (expand-file-name "lpc-config.json" dir))
         (directory-files (expand-file-name "etc" dir) nil "\\`config\\(\\..*\\)?\\'" t)))))

(defun lpc--maybe-lpc-mode ()
  "Switch a C buffer of a mudlib to `lpc-mode'."
  (when (and buffer-file-name (lpc--mudlib-root buffer-file-name))
    (lpc-mode)))

;;;###autoload
(progn
  (add-to-list 'auto-mode-alist '("\\.lpc\\'" . lpc-mode))
  (add-to-list 'auto-mode-alist '("\\.h\\'" . lpc-mode))
  (add-hook 'c-mode-hook #'lpc--maybe-lpc-mode))

(defclass lpc-eglot-server (eglot-lsp-server) ()
  :documentation "lpc-lsp, which takes include directories at initialize.")

(cl-defmethod eglot-initialization-options ((_server lpc-eglot-server))
  "Include directories and defines for lpc-lsp; the driver config is searched for."
  (list :includeDirs (vconcat lpc-include-dirs) :defines (make-hash-table)))

(add-to-list 'eglot-server-programs
             `(lpc-mode . (lpc-eglot-server . ,lpc-lsp-command)))

(add-hook 'lpc-mode-hook #'eglot-ensure)

(provide 'lpc-mode)
;;; lpc-mode.el ends here
