ZH = {}
