"""Pure-Python cores of Coparent: the hard logic, with no Django import anywhere below here."""
