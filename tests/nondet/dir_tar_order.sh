# tar stores members in directory order
tar cf - tree | tar tf -
