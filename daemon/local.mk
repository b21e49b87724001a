# bpaggd(8): the inbox daemon.
