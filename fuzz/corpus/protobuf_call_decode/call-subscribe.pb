"
 
root	capture-dRRRb*